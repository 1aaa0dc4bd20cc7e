package io.aigw.adapters.ollama;

import com.fasterxml.jackson.core.JsonParser;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * A non-streamed Ollama {@code /api/chat} answer → OpenAI {@code chat.completion} (PROTOCOLS 6.6):
 * tool-call arguments become strings and get ids, done_reason becomes finish_reason, the eval
 * counts become usage. Thinking text is dropped, as OpenAI's chat shape has no place for it.
 */
public final class OllamaResponseTranslator {

    private OllamaResponseTranslator() {}

    /** The OpenAI body (owned by the caller) and what the proxy accounts for. */
    public record Translated(ByteBuf body, Usage usage, String finishReason) {}

    public static Translated translate(ByteBuf ollamaBody, String id, long created, ByteBufAllocator alloc) {
        return translate(ollamaBody, id, created, OllamaJson::newToolCallId, alloc);
    }

    /**
     * Does not take ownership of {@code ollamaBody}. {@code toolCallIds} names calls Ollama sent
     * without an id (tests pass a fixed sequence).
     *
     * @throws ApiException (502) when the body is not a readable Ollama answer
     */
    public static Translated translate(
            ByteBuf ollamaBody, String id, long created, Supplier<String> toolCallIds, ByteBufAllocator alloc) {
        ChatLine r = new ChatLine();
        try (JsonParser p = OllamaJson.parser(ollamaBody)) {
            if (!r.read(p) || p.nextToken() != null || r.error != null) {
                throw OllamaJson.unreadable();
            }
        } catch (IOException e) {
            throw OllamaJson.unreadable();
        }
        String finish = OllamaJson.finishReason(r.doneReason, !r.toolCalls.isEmpty());
        Usage usage = OllamaJson.usage(r.promptEvalCount, r.evalCount);
        // OpenAI sends null content beside tool calls; Ollama sends "".
        String content = r.content == null || (r.content.isEmpty() && !r.toolCalls.isEmpty()) ? null : r.content;
        ByteBuf body = OllamaJson.write(alloc, 256 + (content == null ? 0 : content.length() * 9 / 8), g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", created);
            g.writeStringField("model", r.model != null ? r.model : "");
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("message");
            g.writeStringField("role", "assistant");
            g.writeStringField("content", content);
            g.writeNullField("refusal");
            if (!r.toolCalls.isEmpty()) {
                g.writeArrayFieldStart("tool_calls");
                for (ChatLine.ToolCall t : r.toolCalls) {
                    g.writeStartObject();
                    g.writeStringField("id", t.id() != null ? t.id() : toolCallIds.get());
                    g.writeStringField("type", "function");
                    g.writeObjectFieldStart("function");
                    g.writeStringField("name", t.name());
                    g.writeStringField("arguments", t.arguments());
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", finish);
            g.writeEndObject();
            g.writeEndArray();
            OllamaJson.writeUsage(g, usage);
            g.writeEndObject();
        });
        return new Translated(body, usage, finish);
    }
}
