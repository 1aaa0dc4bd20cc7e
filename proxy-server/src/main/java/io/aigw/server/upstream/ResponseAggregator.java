package io.aigw.server.upstream;

import io.aigw.server.dialect.DialectCall;
import io.aigw.server.http.Responses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Collects a non-streamed provider response (bounded, by composing the upstream buffers rather than
 * copying them) and turns it, through the call's dialect, into the client's response.
 */
final class ResponseAggregator {
    /** What {@link #add} made of a piece of the answer. */
    enum Added {
        KEPT,
        /** The answer is larger than its cap. */
        TOO_LARGE,
        /** The process-wide budget for buffered bytes has no room for it. */
        OVER_BUDGET
    }

    private final long maxBytes;
    private final BufferBudget budget;
    private CompositeByteBuf body;
    /** What the collected bytes have taken from the budget. */
    private long reserved;

    ResponseAggregator(ByteBufAllocator alloc, long maxBytes, BufferBudget budget) {
        this.maxBytes = maxBytes;
        this.budget = budget;
        this.body = alloc.compositeBuffer(64);
    }

    /** Keeps {@code data} (retaining it) if it fits both the answer's cap and the budget. */
    Added add(ByteBuf data) {
        if (!data.isReadable()) {
            return Added.KEPT;
        }
        int n = data.readableBytes();
        if ((long) body.readableBytes() + n > maxBytes) {
            return Added.TOO_LARGE;
        }
        if (!budget.tryReserve(n)) {
            return Added.OVER_BUDGET;
        }
        reserved += n;
        body.addComponent(true, data.retain());
        return Added.KEPT;
    }

    /** The response for the client, without the proxy's own headers; the aggregated bytes move into it. */
    FullHttpResponse toResponse(ByteBufAllocator alloc, HttpResponse head, DialectCall call) {
        ByteBuf content = body;
        body = null;
        releaseReserved(); // handed on to the client's write from here
        DialectCall.Answer answer =
                call.translate(head.status().code(), head.headers().get(HttpHeaderNames.CONTENT_TYPE), content, alloc);
        // The provider's own reason phrase is kept when the status is passed through unchanged.
        HttpResponseStatus status =
                answer.status() == head.status().code() ? head.status() : HttpResponseStatus.valueOf(answer.status());
        FullHttpResponse response = Responses.full(status, answer.body());
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().readableBytes());
        return response;
    }

    void release() {
        releaseReserved();
        if (body != null) {
            body.release();
            body = null;
        }
    }

    private void releaseReserved() {
        budget.release(reserved);
        reserved = 0;
    }
}
