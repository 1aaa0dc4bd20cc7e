package io.aigw.server.dialect;

import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.openai.ErrorBodies;
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

    OpenAiCall(
            String providerName, ByteBuf body, boolean stream, boolean dropUsageChunk, boolean dropAzureAnnotations) {
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
        if (status < 400 || ErrorBodies.isComplete(upstreamBody)) {
            return new Answer(status, upstreamBody, contentType == null ? "application/json" : contentType);
        }
        // Not OpenAI's full error shape (an HTML page from a CDN, Azure's code-and-message errors): rewritten.
        ApiError normalized = ErrorBodies.normalize(status, upstreamBody, providerName);
        upstreamBody.release();
        return Answer.of(normalized, alloc);
    }
}
