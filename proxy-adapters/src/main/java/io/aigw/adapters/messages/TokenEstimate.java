package io.aigw.adapters.messages;

import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * A token count for {@code /v1/messages/count_tokens} when no Anthropic provider can count: the
 * UTF-8 bytes of the request's text, divided by 4 and rounded up (the usual rule of thumb for
 * English with BPE tokenizers). Text is every string value (system, message text, tool results,
 * tool inputs, tool names, descriptions and schemas) plus the keys inside tool schemas and inputs;
 * base64 payloads, the model name and the block-type tags are left out.
 */
public final class TokenEstimate {
    /** String values that are not text the model reads as words. */
    private static final Set<String> SKIPPED =
            Set.of("model", "role", "type", "data", "media_type", "tool_use_id", "id");

    private TokenEstimate() {}

    /** The estimate for a Messages request body; indices untouched. 0 for a body that is not JSON. */
    public static long of(ByteBuf body) {
        long bytes = 0;
        try (JsonParser p = MessagesJson.parser(body)) {
            int depth = 0;
            int schemaDepth = -1; // the depth of the enclosing input_schema or input, -1 outside one
            String field = null;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == FIELD_NAME) {
                    field = p.currentName();
                    if (schemaDepth >= 0) {
                        bytes += utf8Length(field);
                    }
                    continue;
                }
                if (t.isStructStart()) {
                    depth++;
                    if (schemaDepth < 0 && ("input_schema".equals(field) || "input".equals(field))) {
                        schemaDepth = depth;
                    }
                } else if (t.isStructEnd()) {
                    if (depth == schemaDepth) {
                        schemaDepth = -1;
                    }
                    depth--;
                } else if (t == VALUE_STRING && (schemaDepth >= 0 || field == null || !SKIPPED.contains(field))) {
                    bytes += utf8Length(p.getText());
                }
                if (p.getParsingContext().inArray()) {
                    continue; // array elements keep the array's field name
                }
                field = null;
            }
        } catch (IOException e) {
            return 0;
        }
        return (bytes + 3) / 4;
    }

    private static long utf8Length(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return n;
    }
}
