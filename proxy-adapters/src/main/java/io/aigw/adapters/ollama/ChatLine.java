package io.aigw.adapters.ollama;

import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;
import static com.fasterxml.jackson.core.JsonToken.VALUE_TRUE;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of one Ollama {@code /api/chat} response object this proxy uses, read in one
 * streaming pass in any order. The same shape is a whole non-streamed answer or one NDJSON line
 * of a stream (PROTOCOLS 6.2). Reusable: {@link #read} resets it.
 */
final class ChatLine {
    /** A whole tool call; {@code arguments} is already OpenAI's JSON string. {@code id} may be null. */
    record ToolCall(String id, String name, String arguments) {}

    String model;
    String content;
    final List<ToolCall> toolCalls = new ArrayList<>(0);
    boolean done;
    String doneReason;
    long promptEvalCount;
    long evalCount;
    /** Set when the object is {@code {"error": "..."}} (a mid-stream failure or an error body). */
    String error;

    /** True when the input is a JSON object; its fields are then read. The parser is left on its end. */
    boolean read(JsonParser p) throws IOException {
        model = content = doneReason = error = null;
        toolCalls.clear();
        done = false;
        promptEvalCount = evalCount = -1;
        if (p.nextToken() != START_OBJECT) {
            return false;
        }
        while (p.nextToken() == FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "model" -> model = v == VALUE_STRING ? p.getText() : null;
                case "done" -> done = v == VALUE_TRUE;
                case "done_reason" -> doneReason = v == VALUE_STRING ? p.getText() : null;
                case "prompt_eval_count" -> promptEvalCount = v == VALUE_NUMBER_INT ? p.getLongValue() : -1;
                case "eval_count" -> evalCount = v == VALUE_NUMBER_INT ? p.getLongValue() : -1;
                case "error" -> error = v == VALUE_STRING ? p.getText() : errorObject(p, v);
                case "message" -> {
                    if (v == START_OBJECT) {
                        readMessage(p);
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        return true;
    }

    /** Not Ollama's shape, but some proxies in front of it send {"error":{"message":...}}. */
    private static String errorObject(JsonParser p, JsonToken v) throws IOException {
        String message = "";
        if (v == START_OBJECT) {
            while (p.nextToken() == FIELD_NAME) {
                String f = p.currentName();
                if (p.nextToken() == VALUE_STRING && "message".equals(f)) {
                    message = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        } else {
            p.skipChildren();
        }
        return message;
    }

    private void readMessage(JsonParser p) throws IOException {
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if ("content".equals(f) && v == VALUE_STRING) {
                content = p.getText();
            } else if ("tool_calls".equals(f) && v == START_ARRAY) {
                while (p.nextToken() == START_OBJECT) {
                    toolCalls.add(readToolCall(p));
                }
            } else {
                p.skipChildren(); // role, thinking, images: not part of an OpenAI answer
            }
        }
    }

    private static ToolCall readToolCall(JsonParser p) throws IOException {
        String id = null, name = null, arguments = null;
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if ("id".equals(f) && v == VALUE_STRING) {
                id = p.getText().isEmpty() ? null : p.getText();
            } else if ("function".equals(f) && v == START_OBJECT) {
                while (p.nextToken() == FIELD_NAME) {
                    String g = p.currentName();
                    JsonToken gv = p.nextToken();
                    if ("name".equals(g) && gv == VALUE_STRING) {
                        name = p.getText();
                    } else if ("arguments".equals(g) && gv == VALUE_STRING) {
                        arguments = p.getText(); // already a string: passed through
                    } else if ("arguments".equals(g) && gv != JsonToken.VALUE_NULL) {
                        arguments = compact(p);
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return new ToolCall(id, name == null ? "" : name, arguments == null ? "{}" : arguments);
    }

    /** The current value re-serialised compactly: OpenAI's arguments are a string of JSON. */
    private static String compact(JsonParser p) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = OllamaJson.FACTORY.createGenerator(w)) {
            g.copyCurrentStructure(p);
        }
        return w.toString();
    }
}
