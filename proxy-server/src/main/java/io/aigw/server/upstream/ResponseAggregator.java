package io.aigw.server.upstream;

import io.aigw.adapters.openai.OpenAiResponseTap;
import io.aigw.core.error.ApiError;
import io.aigw.server.http.Responses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Collects a non-streamed provider response (bounded, by composing the upstream buffers rather than
 * copying them) and turns it into the client's response. An error status whose body is not an
 * OpenAI error (an HTML page from a CDN, say) is rewrapped, so every error a client sees has one shape.
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
    FullHttpResponse toResponse(ByteBufAllocator alloc, HttpResponse head, String provider) {
        ByteBuf content = body;
        body = null;
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE, "application/json");
        int status = head.status().code();
        if (status >= 400 && !OpenAiResponseTap.read(content).error()) {
            content.release();
            ApiError wrapped = new ApiError(status, status >= 500 ? ApiError.API_ERROR : ApiError.INVALID_REQUEST,
                    "upstream_error", null, "Provider '" + provider + "' answered HTTP " + status + ".");
            content = alloc.buffer().writeBytes(wrapped.toJsonBytes());
            contentType = "application/json";
        }
        FullHttpResponse response = Responses.full(head.status(), content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return response;
    }

    void release() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
