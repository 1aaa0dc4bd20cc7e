package io.aigw.adapters.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import io.aigw.core.exchange.Usage;
import java.io.IOException;

/**
 * Gemini's {@code usageMetadata} in OpenAI's words, and its finish reasons. Thinking tokens are billed
 * as output, so completion = candidates + thoughts, with the thoughts also shown as
 * {@code reasoning_tokens}; the cached prompt tokens are a subset of the prompt, as in OpenAI.
 */
public record GeminiUsage(long prompt, long candidates, long thoughts, long cached, long total) {
    public static final GeminiUsage NONE = new GeminiUsage(-1, -1, -1, -1, -1);

    static GeminiUsage of(GeminiAnswer a) {
        return new GeminiUsage(a.prompt, a.candidates, a.thoughts, a.cached, a.total);
    }

    public long completion() {
        return Math.max(0, candidates) + Math.max(0, thoughts);
    }

    /** For the request log and limits; {@link Usage#NONE} when Gemini reported nothing. */
    public Usage usage() {
        if (this == NONE || prompt < 0 && candidates < 0 && total < 0) {
            return Usage.NONE;
        }
        long p = Math.max(0, prompt);
        long c = completion();
        return new Usage(p, c, total >= 0 ? total : p + c, Math.max(0, cached));
    }

    void write(JsonGenerator g) throws IOException {
        Usage u = usage();
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", Math.max(0, u.promptTokens()));
        g.writeNumberField("completion_tokens", Math.max(0, u.completionTokens()));
        g.writeNumberField("total_tokens", Math.max(0, u.totalTokens()));
        g.writeObjectFieldStart("prompt_tokens_details");
        g.writeNumberField("cached_tokens", Math.max(0, cached));
        g.writeEndObject();
        g.writeObjectFieldStart("completion_tokens_details");
        g.writeNumberField("reasoning_tokens", Math.max(0, thoughts));
        g.writeEndObject();
        g.writeEndObject();
    }

    /**
     * OpenAI finish_reason. Gemini says STOP when it called functions, so any call wins; the safety
     * family (and a blocked prompt, which has no candidate) is content_filter; an unknown reason is stop.
     */
    static String finishReason(String reason, boolean calls, String blockReason) {
        if (reason == null && blockReason != null) {
            return "content_filter";
        }
        if (calls) {
            return "tool_calls";
        }
        if (reason == null) {
            return "stop";
        }
        return switch (reason) {
            case "MAX_TOKENS" -> "length";
            case "SAFETY", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "RECITATION", "LANGUAGE" ->
                "content_filter";
            default -> "stop"; // STOP, OTHER, MALFORMED_FUNCTION_CALL, FINISH_REASON_UNSPECIFIED
        };
    }
}
