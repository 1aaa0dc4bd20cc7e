package io.aigw.adapters.responses;

import static com.fasterxml.jackson.core.JsonToken.END_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aigw.adapters.openai.CompletionFacts;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * What the request log needs from a whole Response object, in OpenAI chat words: usage
 * ({@code input_tokens}, {@code output_tokens}, {@code total_tokens},
 * {@code input_tokens_details.cached_tokens}) and a finish reason (completed: stop, or tool_calls
 * when the output has a function call; incomplete: length or content_filter). One streaming pass,
 * nothing materialised.
 */
public final class ResponsesFacts {
    private ResponsesFacts() {}

    /** Reads {@code body} without moving its indices; {@link CompletionFacts#NONE} when it is not an object. */
    public static CompletionFacts of(ByteBuf body) {
        String status = null, incomplete = null;
        boolean call = false;
        Tokens tokens = null;
        try (JsonParser p = ResponsesJson.parser(body)) {
            if (p.nextToken() != START_OBJECT) {
                return CompletionFacts.NONE;
            }
            while (p.nextToken() == FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("status".equals(name) && v == VALUE_STRING) {
                    status = p.getText();
                } else if ("usage".equals(name) && v == START_OBJECT) {
                    tokens = Tokens.readResponses(p);
                } else if ("incomplete_details".equals(name) && v == START_OBJECT) {
                    while (p.nextToken() == FIELD_NAME) {
                        boolean reason = "reason".equals(p.currentName());
                        if (p.nextToken() == VALUE_STRING && reason) {
                            incomplete = p.getText();
                        } else {
                            p.skipChildren();
                        }
                    }
                } else if ("output".equals(name) && v == START_ARRAY) {
                    JsonToken t;
                    while ((t = p.nextToken()) != END_ARRAY) {
                        if (t != START_OBJECT) {
                            p.skipChildren();
                            continue;
                        }
                        while (p.nextToken() == FIELD_NAME) {
                            boolean type = "type".equals(p.currentName());
                            if (p.nextToken() == VALUE_STRING && type) {
                                call |= "function_call".equals(p.getText());
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return CompletionFacts.NONE;
        }
        String finish = "completed".equals(status)
                ? (call ? "tool_calls" : "stop")
                : "incomplete".equals(status)
                        ? ("content_filter".equals(incomplete) ? "content_filter" : "length")
                        : null;
        return new CompletionFacts(tokens == null ? Usage.NONE : tokens.usage(), finish);
    }
}
