package io.aigw.adapters.messages;

import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT;

import com.fasterxml.jackson.core.JsonParser;
import io.aigw.core.exchange.Usage;
import java.io.IOException;

/**
 * Anthropic token counts as they arrive (-1 = not reported) and their OpenAI-worded sum for the log:
 * prompt = input + cache writes + cache reads, cached = cache reads (PROTOCOLS 4.6). Later reports
 * overwrite earlier ones: {@code message_delta} usage is cumulative.
 */
final class AnthropicUsage {
    long input = -1, output = -1, cacheCreation = -1, cacheRead = -1;

    /** Reads a {@code usage} object (parser on its START_OBJECT). */
    void read(JsonParser p) throws IOException {
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            long n = p.nextToken() == VALUE_NUMBER_INT ? p.getLongValue() : -1;
            p.skipChildren();
            if (n < 0) {
                continue;
            }
            switch (f) {
                case "input_tokens":
                    input = n;
                    break;
                case "output_tokens":
                    output = n;
                    break;
                case "cache_creation_input_tokens":
                    cacheCreation = n;
                    break;
                case "cache_read_input_tokens":
                    cacheRead = n;
                    break;
                default:
                    break;
            }
        }
    }

    boolean known() {
        return input >= 0 || output >= 0;
    }

    Usage toUsage() {
        if (!known()) {
            return Usage.NONE;
        }
        long prompt = nz(input) + nz(cacheCreation) + nz(cacheRead);
        long completion = nz(output);
        return new Usage(prompt, completion, prompt + completion, nz(cacheRead));
    }

    private static long nz(long v) {
        return v < 0 ? 0 : v;
    }
}
