package io.aigw.adapters.gemini;

import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;
import static com.fasterxml.jackson.core.JsonToken.VALUE_TRUE;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of one {@code GenerateContentResponse} this proxy uses, read in one streaming pass in
 * any key order (PROTOCOLS 7). The same shape is a whole answer or one event of an {@code alt=sse}
 * stream, where each event carries only the new parts. Only the first candidate is read: the
 * request never asks for more. Reusable: {@link #read} resets it.
 */
final class GeminiAnswer {
    /** One function call; {@code args} is already OpenAI's JSON string, {@code signature} may be null. */
    record Call(String name, String args, String signature) {}

    final StringBuilder text = new StringBuilder();
    final List<Call> calls = new ArrayList<>(0);
    String finishReason;
    String blockReason;
    String modelVersion;
    long prompt, candidates, thoughts, cached, total;
    /** Set when the object is {@code {"error":{...}}}: an error body or a mid-stream failure. */
    boolean error;

    int errorCode;
    String errorStatus;
    String errorMessage;

    /** True when the input is a JSON object; its fields are then read. The parser is left on its end. */
    boolean read(JsonParser p) throws IOException {
        text.setLength(0);
        calls.clear();
        finishReason = blockReason = modelVersion = errorStatus = errorMessage = null;
        prompt = candidates = thoughts = cached = total = -1;
        error = false;
        errorCode = -1;
        JsonToken first = p.nextToken();
        if (first == START_ARRAY) {
            // A streamGenerateContent without alt=sse answers errors as [{"error":{...}}].
            if (p.nextToken() != START_OBJECT) {
                return false;
            }
            readObject(p);
            return p.nextToken() == JsonToken.END_ARRAY;
        }
        if (first != START_OBJECT) {
            return false;
        }
        readObject(p);
        return true;
    }

    private void readObject(JsonParser p) throws IOException {
        while (p.nextToken() == FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "candidates" -> {
                    if (v == START_ARRAY) {
                        readCandidates(p);
                    } else {
                        p.skipChildren();
                    }
                }
                case "usageMetadata" -> {
                    if (v == START_OBJECT) {
                        readUsage(p);
                    } else {
                        p.skipChildren();
                    }
                }
                case "modelVersion" -> modelVersion = v == VALUE_STRING ? p.getText() : null;
                case "promptFeedback" -> {
                    if (v == START_OBJECT) {
                        while (p.nextToken() == FIELD_NAME) {
                            String f = p.currentName();
                            if (p.nextToken() == VALUE_STRING && "blockReason".equals(f)) {
                                blockReason = p.getText();
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                case "error" -> {
                    error = true;
                    if (v == START_OBJECT) {
                        readError(p);
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    private void readCandidates(JsonParser p) throws IOException {
        boolean first = true;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
            if (t != START_OBJECT || !first) {
                p.skipChildren();
                continue;
            }
            first = false;
            while (p.nextToken() == FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if ("content".equals(f) && v == START_OBJECT) {
                    readContent(p);
                } else if ("finishReason".equals(f) && v == VALUE_STRING) {
                    finishReason = p.getText();
                } else {
                    p.skipChildren(); // safetyRatings, citationMetadata, index, avgLogprobs
                }
            }
        }
    }

    private void readContent(JsonParser p) throws IOException {
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if ("parts".equals(f) && v == START_ARRAY) {
                JsonToken t;
                while ((t = p.nextToken()) == START_OBJECT) {
                    readPart(p);
                }
                if (t != JsonToken.END_ARRAY) {
                    throw new IOException("parts");
                }
            } else {
                p.skipChildren(); // role
            }
        }
    }

    /** Keys come in any order, so a part is decided at its end: thought text is never the answer's. */
    private void readPart(JsonParser p) throws IOException {
        String partText = null, signature = null, callName = null, callArgs = null;
        boolean thought = false, call = false;
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "text" -> partText = v == VALUE_STRING ? p.getText() : null;
                case "thought" -> thought = v == VALUE_TRUE;
                case "thoughtSignature" -> signature = v == VALUE_STRING ? p.getText() : null;
                case "functionCall" -> {
                    if (v != START_OBJECT) {
                        p.skipChildren();
                        break;
                    }
                    call = true;
                    while (p.nextToken() == FIELD_NAME) {
                        String g = p.currentName();
                        JsonToken gv = p.nextToken();
                        if ("name".equals(g) && gv == VALUE_STRING) {
                            callName = p.getText();
                        } else if ("args".equals(g) && gv != JsonToken.VALUE_NULL) {
                            callArgs = GeminiJson.compact(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                default -> p.skipChildren(); // inlineData, executableCode, ...: not part of an OpenAI answer
            }
        }
        if (call) {
            calls.add(new Call(callName == null ? "" : callName, callArgs == null ? "{}" : callArgs, signature));
        } else if (partText != null && !thought) {
            text.append(partText);
        }
    }

    private void readUsage(JsonParser p) throws IOException {
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            long n = p.nextToken() == VALUE_NUMBER_INT ? p.getLongValue() : -1;
            p.skipChildren();
            switch (f) {
                case "promptTokenCount" -> prompt = n;
                case "candidatesTokenCount" -> candidates = n;
                case "thoughtsTokenCount" -> thoughts = n;
                case "cachedContentTokenCount" -> cached = n;
                case "totalTokenCount" -> total = n;
                default -> {}
            }
        }
    }

    private void readError(JsonParser p) throws IOException {
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if ("code".equals(f) && v == VALUE_NUMBER_INT) {
                errorCode = p.getIntValue();
            } else if ("status".equals(f) && v == VALUE_STRING) {
                errorStatus = p.getText();
            } else if ("message".equals(f) && v == VALUE_STRING) {
                errorMessage = p.getText();
            } else {
                p.skipChildren();
            }
        }
    }

    boolean usageSeen() {
        return prompt >= 0 || candidates >= 0 || total >= 0;
    }
}
