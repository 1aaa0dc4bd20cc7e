package io.aigw.adapters.responses;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aigw.core.exchange.Usage;
import java.io.IOException;

/**
 * A chat completion's token counts (-1 = not reported), read from a chat {@code usage} object and
 * written as a Responses {@code usage} (ResponseUsage: every key required, so absent counts are 0).
 */
record Tokens(long prompt, long completion, long total, long cached, long reasoning) {

    /** Reads the chat usage object the parser has just entered (its START_OBJECT read). */
    static Tokens readChat(JsonParser p) throws IOException {
        long prompt = -1, completion = -1, total = -1, cached = -1, reasoning = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "prompt_tokens" -> prompt = number(p, v);
                case "completion_tokens" -> completion = number(p, v);
                case "total_tokens" -> total = number(p, v);
                case "prompt_tokens_details" -> cached = detail(p, v, "cached_tokens");
                case "completion_tokens_details" -> reasoning = detail(p, v, "reasoning_tokens");
                default -> p.skipChildren();
            }
        }
        return new Tokens(prompt, completion, total, cached, reasoning);
    }

    /** Reads a Responses usage object the parser has just entered. */
    static Tokens readResponses(JsonParser p) throws IOException {
        long input = -1, output = -1, total = -1, cached = -1, reasoning = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "input_tokens" -> input = number(p, v);
                case "output_tokens" -> output = number(p, v);
                case "total_tokens" -> total = number(p, v);
                case "input_tokens_details" -> cached = detail(p, v, "cached_tokens");
                case "output_tokens_details" -> reasoning = detail(p, v, "reasoning_tokens");
                default -> p.skipChildren();
            }
        }
        return new Tokens(input, output, total, cached, reasoning);
    }

    /** In OpenAI chat words, for the log and limits. */
    Usage usage() {
        return new Usage(prompt, completion, total >= 0 ? total : nz(prompt) + nz(completion), cached);
    }

    void write(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("input_tokens", nz(prompt));
        g.writeObjectFieldStart("input_tokens_details");
        g.writeNumberField("cached_tokens", nz(cached));
        g.writeNumberField("cache_write_tokens", 0);
        g.writeEndObject();
        g.writeNumberField("output_tokens", nz(completion));
        g.writeObjectFieldStart("output_tokens_details");
        g.writeNumberField("reasoning_tokens", nz(reasoning));
        g.writeEndObject();
        g.writeNumberField("total_tokens", total >= 0 ? total : nz(prompt) + nz(completion));
        g.writeEndObject();
    }

    private static long nz(long v) {
        return v < 0 ? 0 : v;
    }

    private static long detail(JsonParser p, JsonToken v, String field) throws IOException {
        long n = -1;
        if (v != JsonToken.START_OBJECT) {
            p.skipChildren();
            return n;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean ours = field.equals(p.currentName());
            JsonToken t = p.nextToken();
            if (ours) {
                n = number(p, t);
            } else {
                p.skipChildren();
            }
        }
        return n;
    }

    private static long number(JsonParser p, JsonToken v) throws IOException {
        if (v.isNumeric()) {
            return p.getValueAsLong(-1); // tolerate 12.0 from lenient backends
        }
        p.skipChildren();
        return -1;
    }
}
