package io.aigw.adapters.anthropic;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.aigw.adapters.JsonSupport;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import java.io.IOException;

/** Shared pieces of the Anthropic → OpenAI response side: the Jackson factory, finish and usage maps. */
final class AnthropicResponseJson {

    /** Upstream bodies and SSE data: Jackson's default depth, large strings allowed. */
    static final JsonFactory FACTORY = JsonSupport.UPSTREAM;

    /** The forced tool the request translator adds to emulate {@code response_format: json_schema}. */
    static final String JSON_SCHEMA_TOOL = "json_schema_output";

    private AnthropicResponseJson() {}

    /** A parser over the readable bytes, in place for heap buffers; indices and refCnt untouched. */
    static JsonParser parser(ByteBuf body) throws IOException {
        return JsonSupport.parser(FACTORY, body);
    }

    /** Anthropic stop_reason → OpenAI finish_reason (unknown and null → stop). */
    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        switch (stopReason) {
            case "max_tokens":
                return "length";
            case "tool_use":
                return "tool_calls";
            case "refusal":
                return "content_filter";
            default: // end_turn, stop_sequence, pause_turn, unknown
                return "stop";
        }
    }

    /** Anthropic token counts (-1 = absent) → OpenAI usage: prompt includes cache writes and reads. */
    static Usage usage(long input, long output, long cacheCreation, long cacheRead) {
        long prompt = nz(input) + nz(cacheCreation) + nz(cacheRead);
        long completion = nz(output);
        return new Usage(prompt, completion, prompt + completion, nz(cacheRead));
    }

    private static long nz(long v) {
        return v < 0 ? 0 : v;
    }
}
