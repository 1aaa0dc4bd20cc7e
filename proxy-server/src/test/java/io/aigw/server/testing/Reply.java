package io.aigw.server.testing;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What {@link TestUpstream} does with one request. All factories except {@link #stream} and
 * {@link #flood} return stateless replies that may be reused (e.g. from a default responder);
 * stream and flood replies carry per-response state and serve exactly one request.
 */
public final class Reply {

    private final Consumer<Exchange> action; // runs on the connection's event loop
    private final FloodStats flood; // non-null if this reply (or the one it delays) floods

    private Reply(Consumer<Exchange> action, FloodStats flood) {
        this.action = action;
        this.flood = flood;
    }

    private Reply(Consumer<Exchange> action) {
        this(action, null);
    }

    void start(Exchange ex) {
        action.accept(ex);
    }

    FloodStats flood() {
        return flood;
    }

    /** {@code status} with an application/json body and Content-Length. */
    public static Reply json(int status, String body) {
        return json(status, body, Map.of());
    }

    /** Like {@link #json(int, String)}; {@code extraHeaders} are set last and may override anything. */
    public static Reply json(int status, String body, Map<String, String> extraHeaders) {
        Map<String, String> headers = Map.copyOf(extraHeaders);
        return new Reply(ex -> ex.sendFull(status, "application/json", body, headers));
    }

    public static Reply text(int status, String contentType, String body) {
        return new Reply(ex -> ex.sendFull(status, contentType, body, Map.of()));
    }

    /** 200 text/event-stream: {@code data: <p>\n\n} per payload, each its own flushed chunk, then [DONE]. */
    public static Reply sse(List<String> dataPayloads) {
        List<String> payloads = List.copyOf(dataPayloads);
        return new Reply(ex -> {
            ex.startEventStream();
            payloads.forEach(p -> ex.chunk("data: " + p + "\n\n"));
            ex.chunk(Exchange.DONE_EVENT);
            ex.endStream();
        });
    }

    /** 200 text/event-stream: each string verbatim as its own chunk (to split events anywhere), no [DONE]. */
    public static Reply sseRaw(List<String> rawChunks) {
        List<String> chunks = List.copyOf(rawChunks);
        return new Reply(ex -> {
            ex.startEventStream();
            chunks.forEach(ex::chunk);
            ex.endStream();
        });
    }

    /** 200 application/x-ndjson (Ollama's stream): each string verbatim as its own chunk. */
    public static Reply ndjson(List<String> rawChunks) {
        List<String> chunks = List.copyOf(rawChunks);
        return new Reply(ex -> {
            ex.startStream("application/x-ndjson");
            chunks.forEach(ex::chunk);
            ex.endStream();
        });
    }

    /** 200 text/event-stream whose body the test writes through {@code script}. */
    public static Reply stream(StreamScript script) {
        Objects.requireNonNull(script, "script");
        return new Reply(script::bind);
    }

    /** Reads the request and never answers (until the peer or {@link TestUpstream#close} closes). */
    public static Reply hang() {
        return new Reply(ex -> {});
    }

    /** Reads the request and resets the connection without a response. */
    public static Reply closeImmediately() {
        return new Reply(ex -> {
            // SO_LINGER 0 makes close() send an RST, like a provider whose process died.
            ex.ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            ex.closeNow();
        });
    }

    /**
     * Writes {@code bytes} verbatim to the socket, past the HTTP encoder (a 101, a malformed head, a
     * body shorter than its Content-Length), then closes the connection if {@code close}, else leaves it
     * open.
     */
    public static Reply raw(String bytes, boolean close) {
        return new Reply(ex -> {
            ChannelFuture written =
                    ex.ctx.pipeline().firstContext().writeAndFlush(ByteBufUtil.writeUtf8(ex.ctx.alloc(), bytes));
            if (close) {
                written.addListener(f -> ex.closeNow());
            }
        });
    }

    /** Answers with {@code reply} after {@code delay}, scheduled on the event loop (no thread sleeps). */
    public static Reply delayed(Duration delay, Reply reply) {
        long nanos = delay.toNanos();
        return new Reply(
                ex -> ex.ctx
                        .executor()
                        .schedule(
                                () -> {
                                    if (ex.ctx.channel().isActive()) {
                                        reply.start(ex);
                                    }
                                },
                                nanos,
                                TimeUnit.NANOSECONDS),
                reply.flood);
    }

    /**
     * 200 text/event-stream that writes ~{@code chunkBytes} events as fast as the channel stays
     * writable until {@code maxBytes} are written, then [DONE]. Progress: {@link TestUpstream#lastFlood}.
     */
    public static Reply flood(int chunkBytes, long maxBytes) {
        FloodStats stats = new FloodStats(chunkBytes, maxBytes);
        return new Reply(ex -> new FloodWriter(ex, stats).start(), stats);
    }
}
