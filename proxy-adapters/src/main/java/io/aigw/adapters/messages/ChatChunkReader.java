package io.aigw.adapters.messages;

import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aigw.core.exchange.Usage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of one {@code chat.completion.chunk} the Messages stream needs, read in one pass with
 * the streaming parser: the first choice's content, reasoning and tool-call fragments, its finish
 * reason, usage, and an in-band {@code error} object. Reused for every event of a stream.
 */
final class ChatChunkReader {
    /** One {@code delta.tool_calls[]} entry; index -1 when the provider sent none. */
    record ToolFragment(int index, String id, String name, String arguments) {}

    String id;
    String model;
    String content;
    String reasoning;
    String finishReason;
    Usage usage;
    boolean error;
    String errorType;
    String errorCode;
    String errorMessage;
    final List<ToolFragment> tools = new ArrayList<>(2);

    /** Reads one data payload; false when it is not a JSON object. */
    boolean read(JsonParser p) throws IOException {
        id = model = content = reasoning = finishReason = null;
        errorType = errorCode = errorMessage = null;
        usage = null;
        error = false;
        tools.clear();
        if (p.nextToken() != START_OBJECT) {
            return false;
        }
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "id":
                    id = v == VALUE_STRING ? p.getText() : null;
                    break;
                case "model":
                    model = v == VALUE_STRING ? p.getText() : null;
                    break;
                case "usage":
                    if (v == START_OBJECT) {
                        usage = MessagesResponseTranslator.readUsage(p);
                    }
                    break;
                case "choices":
                    if (v == START_ARRAY) {
                        readChoices(p);
                    } else {
                        p.skipChildren();
                    }
                    break;
                case "error":
                    if (v == START_OBJECT) {
                        error = true;
                        readError(p);
                    } else if (v != JsonToken.VALUE_NULL) {
                        error = true;
                        errorMessage = v == VALUE_STRING ? p.getText() : null;
                        p.skipChildren();
                    }
                    break;
                default:
                    p.skipChildren();
            }
        }
        return p.nextToken() == null;
    }

    private void readChoices(JsonParser p) throws IOException {
        boolean first = true;
        while (p.nextToken() == START_OBJECT) {
            if (!first) {
                p.skipChildren();
                continue;
            }
            first = false;
            while (p.nextToken() == FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if ("finish_reason".equals(f) && v == VALUE_STRING) {
                    finishReason = p.getText();
                } else if ("delta".equals(f) && v == START_OBJECT) {
                    readDelta(p);
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    private void readDelta(JsonParser p) throws IOException {
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if ("content".equals(f) && v == VALUE_STRING) {
                content = p.getText();
            } else if (("reasoning_content".equals(f) || "reasoning".equals(f)) && v == VALUE_STRING) {
                reasoning = p.getText();
            } else if ("tool_calls".equals(f) && v == START_ARRAY) {
                while (p.nextToken() == START_OBJECT) {
                    tools.add(readTool(p));
                }
            } else {
                p.skipChildren();
            }
        }
    }

    private static ToolFragment readTool(JsonParser p) throws IOException {
        int index = -1;
        String id = null, name = null, args = null;
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if ("index".equals(f) && v == VALUE_NUMBER_INT) {
                index = p.getIntValue();
            } else if ("id".equals(f) && v == VALUE_STRING) {
                id = p.getText();
            } else if ("function".equals(f) && v == START_OBJECT) {
                while (p.nextToken() == FIELD_NAME) {
                    String fn = p.currentName();
                    JsonToken fv = p.nextToken();
                    if ("name".equals(fn) && fv == VALUE_STRING) {
                        name = p.getText();
                    } else if ("arguments".equals(fn) && fv == VALUE_STRING) {
                        args = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return new ToolFragment(index, id, name, args);
    }

    private void readError(JsonParser p) throws IOException {
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (v == VALUE_STRING || v == VALUE_NUMBER_INT) {
                switch (f) {
                    case "type":
                        errorType = p.getText();
                        break;
                    case "code":
                        errorCode = p.getText();
                        break;
                    case "message":
                        errorMessage = p.getText();
                        break;
                    default:
                        break;
                }
            } else {
                p.skipChildren();
            }
        }
    }
}
