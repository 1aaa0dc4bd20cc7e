package io.aigw.adapters.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * A whole Gemini {@code generateContent} answer → an OpenAI {@code chat.completion}, read in one
 * streaming pass. Thought parts are dropped (their tokens still count as completion tokens); each
 * function call becomes a tool call whose id carries its thought signature ({@link ToolCallIds}).
 */
public final class GeminiResponseTranslator {

    private GeminiResponseTranslator() {}

    /** The OpenAI body (owned by the caller), the usage to account for, and the finish reason. */
    public record Translated(ByteBuf body, Usage usage, String finishReason) {}

    /** As below, with random ids for calls that carry no signature. */
    public static Translated translate(
            ByteBuf geminiBody, String chatId, long created, String model, ByteBufAllocator alloc) {
        return translate(geminiBody, chatId, created, model, GeminiJson::newToolCallId, alloc);
    }

    /**
     * Does not take ownership of {@code geminiBody}. {@code model} names the answer when Gemini sends
     * no {@code modelVersion}; {@code ids} names calls without a signature.
     *
     * @throws io.aigw.core.error.ApiException (502) when the body is not a readable Gemini answer
     */
    public static Translated translate(
            ByteBuf geminiBody,
            String chatId,
            long created,
            String model,
            Supplier<String> ids,
            ByteBufAllocator alloc) {
        GeminiAnswer a = new GeminiAnswer();
        try (JsonParser p = GeminiJson.parser(geminiBody)) {
            if (!a.read(p) || p.nextToken() != null || a.error) {
                throw GeminiJson.unreadable();
            }
        } catch (IOException e) {
            throw GeminiJson.unreadable();
        }
        GeminiUsage usage = GeminiUsage.of(a);
        String finish = GeminiUsage.finishReason(a.finishReason, !a.calls.isEmpty(), a.blockReason);
        String name = a.modelVersion != null ? a.modelVersion : model;
        ByteBuf body = GeminiJson.write(alloc, 256 + a.text.length() * 2, g -> {
            g.writeStartObject();
            g.writeStringField("id", chatId);
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", created);
            g.writeStringField("model", name);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("message");
            g.writeStringField("role", "assistant");
            if (a.text.length() == 0 && !a.calls.isEmpty()) {
                g.writeNullField("content");
            } else {
                g.writeStringField("content", a.text.toString());
            }
            g.writeNullField("refusal");
            if (!a.calls.isEmpty()) {
                g.writeArrayFieldStart("tool_calls");
                for (int i = 0; i < a.calls.size(); i++) {
                    writeCall(g, null, a.calls.get(i), id(i, a.calls.get(i), ids));
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", finish);
            g.writeEndObject();
            g.writeEndArray();
            usage.write(g);
            g.writeEndObject();
        });
        return new Translated(body, usage.usage(), finish);
    }

    /** The OpenAI id for the {@code n}-th call of an answer. */
    static String id(int n, GeminiAnswer.Call c, Supplier<String> ids) {
        String id = c.signature() == null ? null : ToolCallIds.withSignature(n, c.signature());
        return id != null ? id : ids.get();
    }

    /** One whole tool call; {@code index} is written for stream deltas only. */
    static void writeCall(JsonGenerator g, Integer index, GeminiAnswer.Call c, String id) throws IOException {
        g.writeStartObject();
        if (index != null) {
            g.writeNumberField("index", index);
        }
        g.writeStringField("id", id);
        g.writeStringField("type", "function");
        g.writeObjectFieldStart("function");
        g.writeStringField("name", c.name());
        g.writeStringField("arguments", c.args());
        g.writeEndObject();
        g.writeEndObject();
    }
}
