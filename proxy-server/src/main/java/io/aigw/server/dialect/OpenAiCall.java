package io.aigw.server.dialect;

import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.openai.OpenAiResponseTap;
import io.aigw.adapters.openai.OpenAiStreamTap;
import io.aigw.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** A call whose answer is already in OpenAI's shape (OpenAI-compatible hosts and Azure OpenAI). */
final class OpenAiCall implements DialectCall {
    private final String providerName;
    private final ByteBuf body;
    private final boolean stream;
    private final boolean dropUsageChunk;
    private final boolean dropAzureAnnotations;

    OpenAiCall(String providerName, ByteBuf body, boolean stream, boolean dropUsageChunk, boolean dropAzureAnnotations) {
        this.providerName = providerName;
        this.body = body;
        this.stream = stream;
        this.dropUsageChunk = dropUsageChunk;
        this.dropAzureAnnotations = dropAzureAnnotations;
    }

    @Override
    public ByteBuf body() {
        return body;
    }

    @Override
    public boolean stream() {
        return stream;
    }

    @Override
    public StreamTranslator newStreamTranslator() {
        return new OpenAiStreamTap(dropUsageChunk, dropAzureAnnotations);
    }

    /** Passed through, except that an error body which is not OpenAI's (a CDN's HTML page, say) is rewrapped. */
    @Override
    public Answer translate(int status, String contentType, ByteBuf upstreamBody, ByteBufAllocator alloc) {
        if (status < 400 || OpenAiResponseTap.read(upstreamBody).error()) {
            return new Answer(status, upstreamBody, contentType == null ? "application/json" : contentType);
        }
        upstreamBody.release();
        ApiError wrapped = new ApiError(status, status >= 500 ? ApiError.API_ERROR : ApiError.INVALID_REQUEST,
                "upstream_error", null, "Provider '" + providerName + "' answered HTTP " + status + ".");
        return new Answer(status, alloc.buffer().writeBytes(wrapped.toJsonBytes()), "application/json");
    }
}
