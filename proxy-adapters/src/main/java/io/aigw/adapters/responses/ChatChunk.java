package io.aigw.adapters.responses;

import static com.fasterxml.jackson.core.JsonToken.END_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of one {@code chat.completion.chunk} (or of an error event's data) the stream
 * translator uses, read in one streaming pass; only the first choice is read. Reused per event.
 */
final class ChatChunk {
    /** One tool_calls[] fragment. */
    static final class Call {
        int index;
        String id, name, arguments;
    }

    String model;
    String content;
    String finishReason;
    Tokens usage;
    boolean error;
    String errorMessage, errorType, errorCode, errorParam;
    int calls;
    private final List<Call> callPool = new ArrayList<>(2);

    Call call(int i) {
        return callPool.get(i);
    }

    /** False when the data is not a JSON object. */
    boolean read(JsonParser p) throws IOException {
        model = content = finishReason = null;
        errorMessage = errorType = errorCode = errorParam = null;
        usage = null;
        error = false;
        calls = 0;
        if (p.nextToken() != START_OBJECT) {
            return false;
        }
        while (p.nextToken() == FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "model" -> model = v == VALUE_STRING ? p.getText() : null;
                case "usage" -> {
                    if (v == START_OBJECT) {
                        usage = Tokens.readChat(p);
                    }
                }
                case "choices" -> {
                    if (v == START_ARRAY) {
                        choices(p);
                    } else {
                        p.skipChildren();
                    }
                }
                case "error" -> {
                    if (v == START_OBJECT) {
                        error = true;
                        readError(p);
                    } else if (v != JsonToken.VALUE_NULL) {
                        error = true;
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        return p.nextToken() == null;
    }

    private void choices(JsonParser p) throws IOException {
        boolean first = true;
        JsonToken t;
        while ((t = p.nextToken()) != END_ARRAY) {
            if (t != START_OBJECT || !first) {
                p.skipChildren();
                continue;
            }
            first = false;
            while (p.nextToken() == FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("finish_reason".equals(name) && v == VALUE_STRING) {
                    finishReason = p.getText();
                } else if ("delta".equals(name) && v == START_OBJECT) {
                    delta(p);
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    private void delta(JsonParser p) throws IOException {
        while (p.nextToken() == FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if ("content".equals(name) && v == VALUE_STRING) {
                content = p.getText();
            } else if ("refusal".equals(name) && v == VALUE_STRING && content == null) {
                content = p.getText(); // shown as text: a chat refusal has no separate item here
            } else if ("tool_calls".equals(name) && v == START_ARRAY) {
                while (p.nextToken() == START_OBJECT) {
                    readCall(p, nextCall());
                }
            } else {
                p.skipChildren(); // role, reasoning_content: no Responses item is made of them
            }
        }
    }

    private Call nextCall() {
        if (calls == callPool.size()) {
            callPool.add(new Call());
        }
        Call c = callPool.get(calls++);
        c.index = -1;
        c.id = c.name = c.arguments = null;
        return c;
    }

    private static void readCall(JsonParser p, Call c) throws IOException {
        while (p.nextToken() == FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if ("index".equals(name) && v == VALUE_NUMBER_INT) {
                c.index = p.getIntValue();
            } else if ("id".equals(name) && v == VALUE_STRING) {
                c.id = p.getText();
            } else if ("function".equals(name) && v == START_OBJECT) {
                while (p.nextToken() == FIELD_NAME) {
                    String f = p.currentName();
                    JsonToken fv = p.nextToken();
                    if ("name".equals(f) && fv == VALUE_STRING) {
                        c.name = p.getText();
                    } else if ("arguments".equals(f) && fv == VALUE_STRING) {
                        c.arguments = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
    }

    private void readError(JsonParser p) throws IOException {
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            String s = v.isScalarValue() && v != JsonToken.VALUE_NULL ? p.getText() : null;
            p.skipChildren();
            switch (f) {
                case "message" -> errorMessage = s;
                case "type" -> errorType = s;
                case "code" -> errorCode = s;
                case "param" -> errorParam = s;
                default -> {}
            }
        }
    }
}
