package io.aigw.adapters.openai;

import static com.fasterxml.jackson.core.JsonToken.END_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NULL;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aigw.core.exchange.Usage;
import java.io.IOException;

/**
 * Reads the few fields the proxy accounts for from a completion, chunk or embeddings object:
 * {@code usage}, {@code choices[].finish_reason} and a top-level {@code error}. Everything else,
 * deltas and embeddings included, is skipped without being materialised. Reusable, not thread-safe.
 */
final class CompletionReader {
    /** Null when absent or null. */
    Usage usage;

    String firstFinishReason;
    String lastFinishReason;
    /** True when choices is absent, null or []: the shape of the include_usage chunk. */
    boolean choicesEmpty;

    boolean error;
    /** True when id is absent, null or "": Azure's content-filter annotation chunks. */
    boolean idEmpty;

    /** Returns the root token (null for an empty document); fields are read only from an object. */
    JsonToken read(JsonParser p) throws IOException {
        usage = null;
        firstFinishReason = lastFinishReason = null;
        choicesEmpty = true;
        error = false;
        idEmpty = true;
        JsonToken root = p.nextToken();
        if (root != START_OBJECT) {
            p.skipChildren();
            return root;
        }
        while (p.nextToken() == FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if ("usage".equals(name) && v == START_OBJECT) {
                usage = readUsage(p);
            } else if ("choices".equals(name) && v == START_ARRAY) {
                readChoices(p);
            } else {
                if ("choices".equals(name)) {
                    choicesEmpty = v == VALUE_NULL;
                } else if ("error".equals(name)) {
                    error = v != VALUE_NULL;
                } else if ("id".equals(name)) {
                    idEmpty = v == VALUE_NULL || (v == VALUE_STRING && p.getTextLength() == 0);
                }
                p.skipChildren();
            }
        }
        return root;
    }

    private void readChoices(JsonParser p) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) != END_ARRAY) {
            choicesEmpty = false;
            if (t != START_OBJECT) {
                p.skipChildren();
                continue;
            }
            while (p.nextToken() == FIELD_NAME) {
                boolean finish = "finish_reason".equals(p.currentName());
                if (p.nextToken() == VALUE_STRING && finish) {
                    lastFinishReason = p.getText();
                    if (firstFinishReason == null) {
                        firstFinishReason = lastFinishReason;
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    /** The usage object the parser has just entered (its START_OBJECT read). */
    static Usage readUsageObject(JsonParser p) throws IOException {
        return readUsage(p);
    }

    private static Usage readUsage(JsonParser p) throws IOException {
        long prompt = -1, completion = -1, total = -1, cached = -1;
        while (p.nextToken() == FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "prompt_tokens" -> prompt = number(p, v);
                case "completion_tokens" -> completion = number(p, v);
                case "total_tokens" -> total = number(p, v);
                case "prompt_tokens_details" -> cached = cachedTokens(p, v);
                default -> p.skipChildren();
            }
        }
        return new Usage(prompt, completion, total, cached);
    }

    private static long cachedTokens(JsonParser p, JsonToken v) throws IOException {
        long cached = -1;
        if (v != START_OBJECT) {
            p.skipChildren();
            return cached;
        }
        while (p.nextToken() == FIELD_NAME) {
            boolean ours = "cached_tokens".equals(p.currentName());
            JsonToken t = p.nextToken();
            if (ours) {
                cached = number(p, t);
            } else {
                p.skipChildren();
            }
        }
        return cached;
    }

    private static long number(JsonParser p, JsonToken v) throws IOException {
        if (v.isNumeric()) {
            return p.getValueAsLong(-1); // tolerate 12.0 from lenient backends
        }
        p.skipChildren();
        return -1;
    }
}
