package io.aigw.adapters.responses;

import static com.fasterxml.jackson.core.JsonToken.END_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a whole chat completion a Response needs, read in one streaming pass: the first
 * choice's text (content, then refusal), its tool calls, its finish reason, the model and usage.
 */
final class ChatAnswer {
    String model;
    final StringBuilder text = new StringBuilder();
    boolean hasText;
    final List<String[]> calls = new ArrayList<>(); // {id, name, arguments}
    String finishReason;
    Tokens usage;

    /** False when the body is not a JSON object. */
    boolean read(JsonParser p) throws IOException {
        if (p.nextToken() != START_OBJECT) {
            return false;
        }
        while (p.nextToken() == FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if ("model".equals(name) && v == VALUE_STRING) {
                model = p.getText();
            } else if ("usage".equals(name) && v == START_OBJECT) {
                usage = Tokens.readChat(p);
            } else if ("choices".equals(name) && v == START_ARRAY) {
                choices(p);
            } else {
                p.skipChildren();
            }
        }
        return p.nextToken() == null;
    }

    private void choices(JsonParser p) throws IOException {
        boolean first = true;
        JsonToken t;
        while ((t = p.nextToken()) != END_ARRAY) {
            if (t != START_OBJECT || !first) {
                p.skipChildren(); // one choice is asked for; others (n > 1) are not ours to show
                continue;
            }
            first = false;
            while (p.nextToken() == FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("finish_reason".equals(name) && v == VALUE_STRING) {
                    finishReason = p.getText();
                } else if ("message".equals(name) && v == START_OBJECT) {
                    message(p);
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    private void message(JsonParser p) throws IOException {
        String refusal = null;
        while (p.nextToken() == FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if ("content".equals(name) && v == VALUE_STRING) {
                text.append(p.getText());
                hasText = true;
            } else if ("refusal".equals(name) && v == VALUE_STRING) {
                refusal = p.getText();
            } else if ("tool_calls".equals(name) && v == START_ARRAY) {
                while (p.nextToken() == START_OBJECT) {
                    calls.add(call(p));
                }
            } else {
                p.skipChildren();
            }
        }
        if (refusal != null && !hasText) {
            text.append(refusal);
            hasText = true;
        }
    }

    private static String[] call(JsonParser p) throws IOException {
        String[] c = new String[3];
        while (p.nextToken() == FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if ("id".equals(name) && v == VALUE_STRING) {
                c[0] = p.getText();
            } else if ("function".equals(name) && v == START_OBJECT) {
                while (p.nextToken() == FIELD_NAME) {
                    String f = p.currentName();
                    JsonToken fv = p.nextToken();
                    if ("name".equals(f) && fv == VALUE_STRING) {
                        c[1] = p.getText();
                    } else if ("arguments".equals(f) && fv == VALUE_STRING) {
                        c[2] = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return c;
    }

    /** chat finish_reason → Response status and incomplete_details.reason (null when complete). */
    static String incompleteReason(String finishReason) {
        if ("length".equals(finishReason)) {
            return "max_output_tokens";
        }
        if ("content_filter".equals(finishReason)) {
            return "content_filter";
        }
        return null;
    }
}
