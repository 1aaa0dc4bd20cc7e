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
    private final long maxBytes;
    private CompositeByteBuf body;

    ResponseAggregator(ByteBufAllocator alloc, long maxBytes) {
        this.maxBytes = maxBytes;
        this.body = alloc.compositeBuffer(64);
    }

    /** Keeps {@code data} (retaining it); false if the response would exceed the cap. */
    boolean add(ByteBuf data) {
        if (!data.isReadable()) {
            return true;
        }
        if ((long) body.readableBytes() + data.readableBytes() > maxBytes) {
            return false;
        }
        body.addComponent(true, data.retain());
        return true;
    }

    /** The response for the client, without the proxy's own headers; the aggregated bytes move into it. */
    FullHttpResponse toResponse(ByteBufAllocator alloc, HttpResponse head, DialectCall call) {
        ByteBuf content = body;
        body = null;
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
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
