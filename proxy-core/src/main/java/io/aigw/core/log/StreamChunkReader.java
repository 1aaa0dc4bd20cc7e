package io.aigw.core.log;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one chat or legacy completion chunk into a {@link StreamedMessage}: {@code choices[]} (their
 * {@code delta.content}, {@code delta.tool_calls[]}, legacy {@code text}, {@code finish_reason}),
 * {@code usage} and {@code error}; every other field is skipped unread.
 *
 * <p>Field by field with the streaming parser, because a long answer is hundreds of chunks; only the
 * rare usage and error objects become trees. Anything of an unexpected type is skipped, never an
 * error. A choice is applied once read whole (its index may come after its delta), so a chunk cut
 * short contributes the choices it holds whole.
 */
final class StreamChunkReader {
    private StreamChunkReader() {}

    /** @throws IOException when the chunk is not JSON or is cut short (what was read whole is kept) */
    static void read(JsonParser p, StreamedMessage into) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (field.equals("choices") && t == JsonToken.START_ARRAY) {
                readChoices(p, into);
            } else if (field.equals("usage") && t == JsonToken.START_OBJECT) {
                into.usage(p.readValueAsTree());
            } else if (field.equals("error") && t != JsonToken.VALUE_NULL) {
                into.error(p.readValueAsTree());
            } else {
                p.skipChildren();
            }
        }
    }

    private static void readChoices(JsonParser p, StreamedMessage into) throws IOException {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == null) {
                throw new IOException("cut inside choices");
            }
            if (t == JsonToken.START_OBJECT) {
                readChoice(p, into);
            } else {
                p.skipChildren();
            }
        }
    }

    private static void readChoice(JsonParser p, StreamedMessage into) throws IOException {
        int index = 0;
        StringBuilder content = null;
        String finishReason = null;
        List<ToolCallDelta> calls = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "index" -> {
                    Integer i = integer(p, t);
                    index = i == null ? 0 : i;
                }
                case "text" -> content = append(content, text(p, t)); // legacy completions
                case "finish_reason" -> finishReason = text(p, t);
                case "delta" -> {
                    if (t != JsonToken.START_OBJECT) {
                        p.skipChildren();
                        continue;
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String deltaField = p.currentName();
                        JsonToken dt = p.nextToken();
                        if (deltaField.equals("content")) {
                            content = append(content, text(p, dt));
                        } else if (deltaField.equals("tool_calls") && dt == JsonToken.START_ARRAY) {
                            calls = readToolCalls(p, calls);
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        StreamedChoice choice = into.choice(index);
        if (content != null) {
            choice.appendContent(content.toString());
        }
        if (calls != null) {
            for (ToolCallDelta c : calls) {
                choice.toolCallDelta(c.index, c.id, c.type, c.name, c.arguments);
            }
        }
        if (finishReason != null) {
            choice.finishReason(finishReason);
        }
    }

    private static List<ToolCallDelta> readToolCalls(JsonParser p, List<ToolCallDelta> calls) throws IOException {
        List<ToolCallDelta> out = calls == null ? new ArrayList<>(2) : calls;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == null) {
                throw new IOException("cut inside tool_calls");
            }
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            ToolCallDelta call = new ToolCallDelta();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken ft = p.nextToken();
                switch (field) {
                    case "index" -> call.index = integer(p, ft);
                    case "id" -> call.id = text(p, ft);
                    case "type" -> call.type = text(p, ft);
                    case "function" -> readFunction(p, ft, call);
                    default -> p.skipChildren();
                }
            }
            out.add(call);
        }
        return out;
    }

    private static void readFunction(JsonParser p, JsonToken t, ToolCallDelta call) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken vt = p.nextToken();
            if (field.equals("name")) {
                call.name = text(p, vt);
            } else if (field.equals("arguments")) {
                call.arguments = text(p, vt);
            } else {
                p.skipChildren();
            }
        }
    }

    private static StringBuilder append(StringBuilder to, String piece) {
        return piece == null ? to : (to == null ? new StringBuilder() : to).append(piece);
    }

    /** The string at the parser, or null (having skipped whatever else is there). */
    private static String text(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    private static Integer integer(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getIntValue();
        }
        p.skipChildren();
        return null;
    }

    /** One tool call's piece in one chunk. */
    private static final class ToolCallDelta {
        Integer index;
        String id;
        String type;
        String name;
        String arguments;
    }
}
