package io.aigw.server.upstream;

import io.aigw.adapters.StreamTranslator;
import io.aigw.core.error.ApiError;
import io.aigw.server.http.Responses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * Relays a provider's stream to the client as OpenAI SSE: the translator hands back buffers to write
 * (for an OpenAI-compatible provider, retained slices of the upstream buffers, complete events only,
 * the usage chunk the client did not ask for left out), and one upstream chunk becomes one HTTP
 * chunk. Chunks are written as they come and flushed once per upstream read ({@link #flush}): a
 * read often brings several, and each flush costs a syscall. Pausing upstream is the
 * caller's job; {@link #relay} says when the client has stopped taking bytes.
 */
final class StreamRelay {

    private final ChannelHandlerContext client;
    private final StreamTranslator tap;
    private final long maxEventBytes;
    private final BufferBudget budget;
    private final List<ByteBuf> out = new ArrayList<>(4);
    private boolean headersSent;
    /** What the held part of an unfinished event has taken from the budget. */
    private long reserved;

    private boolean overBudget;
    /** Chunks were written since the last flush. */
    private boolean unflushed;

    /** Takes ownership of {@code translator} (closed with the relay). */
    StreamRelay(ChannelHandlerContext client, StreamTranslator translator, long maxEventBytes, BufferBudget budget) {
        this.client = client;
        this.tap = translator;
        this.maxEventBytes = maxEventBytes;
        this.budget = budget;
    }

    /** Sends the 200 head at once, as OpenAI does: a client waiting for it must not wait for the first token. */
    void start(HttpHeaders upstreamHeaders, String provider, String modelId, int attempts) {
        HttpResponse response =
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Responses.newHeaders());
        HttpHeaders h = response.headers();
        // The client always gets SSE; a provider's own event-stream type (charset and all) is kept,
        // another stream format (Ollama's NDJSON) was translated and must not be announced.
        String type = upstreamHeaders.get(HttpHeaderNames.CONTENT_TYPE);
        h.set(
                HttpHeaderNames.CONTENT_TYPE,
                type != null && type.regionMatches(true, 0, "text/event-stream", 0, 17) ? type : "text/event-stream");
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ResponseHeaders.addProxyHeaders(
                h, upstreamHeaders, provider, modelId, attempts, Responses.clientApi(client.channel()));
        headersSent = true;
        client.writeAndFlush(response, client.voidPromise());
    }

    /**
     * Forwards what {@code data} completes. Returns false when the client channel is no longer
     * writable, so the caller stops reading upstream. Throws nothing; an event that never ends is
     * reported by {@link #overflowing()}.
     */
    boolean relay(ByteBuf data) {
        tap.onChunk(data, client.alloc(), out);
        account();
        if (!out.isEmpty()) {
            writeOut();
            unflushed = true; // flushed once the upstream read is over: one syscall for all its chunks
        }
        return client.channel().isWritable(); // counts written bytes, flushed or not
    }

    /** The upstream read that brought the last chunks is over: they go to the client together. */
    void flush() {
        if (unflushed) {
            unflushed = false;
            client.flush();
        }
    }

    /** True when a provider has sent more than the cap without ending an event. */
    boolean overflowing() {
        return tap.heldBytes() > maxEventBytes;
    }

    /** True when the held part of an unfinished event did not fit in the process-wide budget. */
    boolean overBudget() {
        return overBudget;
    }

    /** Keeps the budget's share equal to what the translator holds; an event over the cap is not counted. */
    private void account() {
        long held = tap.heldBytes();
        if (held > reserved) {
            if (held > maxEventBytes) {
                return; // about to fail as too large: not the other calls' problem
            }
            if (budget.tryReserve(held - reserved)) {
                reserved = held;
            } else {
                overBudget = true;
            }
        } else if (held < reserved) {
            budget.release(reserved - held);
            reserved = held;
        }
    }

    /** What the stream reported: usage and finish reason, for the request log. */
    StreamTranslator translator() {
        return tap;
    }

    /** Upstream is over: the translator emits what ends the client's stream, reading any last unterminated event. */
    void upstreamEnded() {
        tap.onEnd(client.alloc(), out);
    }

    /** Writes what {@link #upstreamEnded} left and ends the client's stream. */
    void end() {
        writeOut();
        client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** Status 200 is already on the wire: the translator ends the stream with the error, in the client's API. */
    void endWithError(ApiError error) {
        List<ByteBuf> events = new ArrayList<>(2);
        tap.onError(error, client.alloc(), events);
        ByteBuf last = events.isEmpty() ? Unpooled.EMPTY_BUFFER : events.remove(events.size() - 1);
        for (ByteBuf e : events) {
            client.write(new DefaultHttpContent(e)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        client.writeAndFlush(new DefaultLastHttpContent(last)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    boolean headersSent() {
        return headersSent;
    }

    void close() {
        budget.release(reserved);
        reserved = 0;
        tap.close();
        for (ByteBuf b : out) {
            b.release();
        }
        out.clear();
    }

    private void writeOut() {
        if (out.isEmpty()) {
            return;
        }
        ByteBuf chunk = out.size() == 1 ? out.get(0) : Unpooled.wrappedBuffer(out.toArray(new ByteBuf[0]));
        out.clear();
        client.write(new DefaultHttpContent(chunk), client.voidPromise());
    }
}
