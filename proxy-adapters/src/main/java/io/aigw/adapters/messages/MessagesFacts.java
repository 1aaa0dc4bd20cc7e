package io.aigw.adapters.messages;

import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aigw.adapters.openai.CompletionFacts;
import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * What the log, cost and limits need from a whole Anthropic {@code message} the client receives:
 * usage (prompt = input + cache writes + cache reads, cached = cache reads) and the stop reason in
 * OpenAI's words. One streaming pass; the content is skipped, never materialised.
 */
public final class MessagesFacts {
    private MessagesFacts() {}

    /** {@link CompletionFacts#NONE} when the body is not a JSON object. Indices untouched. */
    public static CompletionFacts of(ByteBuf body) {
        AnthropicUsage usage = new AnthropicUsage();
        String stop = null;
        try (JsonParser p = MessagesJson.parser(body)) {
            if (p.nextToken() != START_OBJECT) {
                return CompletionFacts.NONE;
            }
            while (p.nextToken() == FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if ("usage".equals(f) && v == START_OBJECT) {
                    usage.read(p);
                } else if ("stop_reason".equals(f) && v == VALUE_STRING) {
                    stop = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return CompletionFacts.NONE;
        }
        return new CompletionFacts(usage.toUsage(), MessagesJson.finishReason(stop));
    }
}
