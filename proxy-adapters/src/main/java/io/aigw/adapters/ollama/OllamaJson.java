package io.aigw.adapters.ollama;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.adapters.JsonSupport;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;

/** What the Ollama translators share: one Jackson setup, buffer I/O, ids and the usage shape. */
final class OllamaJson {

    /** Request trees and their generators: {@link JsonSupport#TREES}. */
    static final ObjectMapper MAPPER = JsonSupport.TREES;

    static final JsonFactory FACTORY = MAPPER.getFactory();

    private OllamaJson() {}

    /** Writes into a new pooled buffer the caller owns; the buffer is released on failure. */
    static ByteBuf write(ByteBufAllocator alloc, int sizeHint, JsonSupport.Writer w) {
        return JsonSupport.write(FACTORY, alloc, sizeHint, w);
    }

    /** A parser over the readable bytes, in place for heap buffers; indices and refCnt untouched. */
    static JsonParser parser(ByteBuf body) throws IOException {
        return JsonSupport.parser(FACTORY, body);
    }

    /** The client's request body as a tree; a 400 in OpenAI's shape when it is not a JSON object. */
    static JsonNode readRequest(ByteBuf body) {
        return JsonSupport.readRequest(body);
    }

    /** The upstream's answer as a tree; a 502 when it is not a JSON object. */
    static JsonNode readUpstream(ByteBuf body) {
        try (JsonParser p = parser(body)) {
            JsonNode root = MAPPER.readTree(p);
            if (root != null && root.isObject()) {
                return root;
            }
        } catch (IOException e) {
            // reported below
        }
        throw unreadable();
    }

    static ApiException unreadable() {
        return JsonSupport.unreadable();
    }

    /** {@code call_} and 24 random alphanumerics: Ollama's tool calls have no ids, OpenAI clients need them. */
    static String newToolCallId() {
        return JsonSupport.newToolCallId();
    }

    /** prompt_eval_count / eval_count (-1 = absent) → OpenAI usage; Ollama reports no cache split. */
    static Usage usage(long promptEvalCount, long evalCount) {
        long prompt = Math.max(0, promptEvalCount);
        long completion = Math.max(0, evalCount);
        return new Usage(prompt, completion, prompt + completion, 0);
    }

    static void writeUsage(JsonGenerator g, Usage u) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", u.promptTokens());
        g.writeNumberField("completion_tokens", u.completionTokens());
        g.writeNumberField("total_tokens", u.totalTokens());
        g.writeEndObject();
    }

    /**
     * OpenAI finish_reason from Ollama's done_reason: any tool call wins (Ollama keeps saying
     * "stop" when it calls tools), "length" maps through, anything else (stop, load, unknown) is stop.
     */
    static String finishReason(String doneReason, boolean toolCalls) {
        if (toolCalls) {
            return "tool_calls";
        }
        return "length".equals(doneReason) ? "length" : "stop";
    }
}
