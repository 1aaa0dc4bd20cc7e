package io.aigw.adapters.messages;

import static com.fasterxml.jackson.core.JsonToken.END_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI {@code chat.completion} to an Anthropic {@code message}: reasoning text becomes a
 * thinking block, content a text block, then one {@code tool_use} block per tool call (ids made
 * Anthropic-safe, arguments parsed into {@code input}, {@code {}} when they are not a JSON object).
 * Usage: {@code input_tokens} = prompt − cached, {@code cache_read_input_tokens} = cached (so the
 * Anthropic sum equals the prompt), {@code output_tokens} = completion. One streaming pass over the
 * input; the output is written by a generator into a pooled buffer.
 */
public final class MessagesResponseTranslator {

    private MessagesResponseTranslator() {}

    /** The Anthropic body (owned by the caller), the usage and finish reason in OpenAI's words. */
    public record Translated(ByteBuf body, Usage usage, String finishReason) {}

    private record Call(String id, String name, String arguments) {}

    /**
     * Does not take ownership of {@code chatBody}.
     *
     * @throws ApiException (502) when the body is not a readable chat completion
     */
    public static Translated translate(ByteBuf chatBody, ByteBufAllocator alloc) {
        String id = null;
        String model = null;
        String finish = null;
        String content = null;
        String reasoning = null;
        List<Call> calls = new ArrayList<>(0);
        Usage usage = Usage.NONE;
        boolean sawChoice = false;
        try (JsonParser p = MessagesJson.parser(chatBody)) {
            if (p.nextToken() != START_OBJECT) {
                throw bad();
            }
            while (p.nextToken() == FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "id":
                        id = v == VALUE_STRING ? p.getText() : id;
                        break;
                    case "model":
                        model = v == VALUE_STRING ? p.getText() : model;
                        break;
                    case "usage":
                        usage = v == START_OBJECT ? readUsage(p) : usage;
                        if (v != START_OBJECT) {
                            p.skipChildren();
                        }
                        break;
                    case "choices":
                        if (v != START_ARRAY) {
                            p.skipChildren();
                            break;
                        }
                        while (p.nextToken() == START_OBJECT) {
                            if (sawChoice) { // n > 1 cannot be asked for through this API
                                p.skipChildren();
                                continue;
                            }
                            sawChoice = true;
                            while (p.nextToken() == FIELD_NAME) {
                                String f = p.currentName();
                                JsonToken fv = p.nextToken();
                                if ("finish_reason".equals(f) && fv == VALUE_STRING) {
                                    finish = p.getText();
                                } else if ("message".equals(f) && fv == START_OBJECT) {
                                    while (p.nextToken() == FIELD_NAME) {
                                        String m = p.currentName();
                                        JsonToken mv = p.nextToken();
                                        if ("content".equals(m) && mv == VALUE_STRING) {
                                            content = p.getText();
                                        } else if (("reasoning_content".equals(m) || "reasoning".equals(m))
                                                && mv == VALUE_STRING) {
                                            reasoning = p.getText();
                                        } else if ("tool_calls".equals(m) && mv == START_ARRAY) {
                                            while (p.nextToken() == START_OBJECT) {
                                                calls.add(readCall(p));
                                            }
                                        } else {
                                            p.skipChildren();
                                        }
                                    }
                                } else {
                                    p.skipChildren();
                                }
                            }
                        }
                        if (p.currentToken() != END_ARRAY) {
                            throw bad();
                        }
                        break;
                    default:
                        p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null || !sawChoice) {
                throw bad();
            }
        } catch (IOException e) {
            throw bad();
        }

        String stop = MessagesJson.stopReason(finish);
        if (!calls.isEmpty() && "end_turn".equals(stop)) {
            stop = "tool_use"; // providers that say "stop" after calling tools (Ollama)
        }
        ByteBuf out = alloc.buffer(256 + (content == null ? 0 : content.length() + content.length() / 8));
        try (JsonGenerator g = MessagesJson.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(out))) {
            g.writeStartObject();
            g.writeStringField("id", messageId(id));
            g.writeStringField("type", "message");
            g.writeStringField("role", "assistant");
            g.writeStringField("model", model != null ? model : "");
            g.writeArrayFieldStart("content");
            if (reasoning != null && !reasoning.isEmpty()) {
                g.writeStartObject();
                g.writeStringField("type", "thinking");
                g.writeStringField("thinking", reasoning);
                g.writeStringField("signature", "");
                g.writeEndObject();
            }
            if (content != null && !content.isEmpty()) {
                g.writeStartObject();
                g.writeStringField("type", "text");
                g.writeStringField("text", content);
                g.writeEndObject();
            }
            for (int i = 0; i < calls.size(); i++) {
                Call c = calls.get(i);
                g.writeStartObject();
                g.writeStringField("type", "tool_use");
                g.writeStringField("id", MessagesJson.toolId(c.id(), i));
                g.writeStringField("name", c.name() != null ? c.name() : "");
                g.writeFieldName("input");
                writeInput(g, c.arguments());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("stop_reason", stop);
            g.writeNullField("stop_sequence");
            writeUsage(g, usage);
            g.writeEndObject();
        } catch (IOException | RuntimeException e) {
            out.release();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        return new Translated(out, usage, finish != null ? finish : "stop");
    }

    /** {@code msg_} + the chat id made id-safe, so a log line can be matched to the provider's. */
    static String messageId(String chatId) {
        if (chatId == null || chatId.isEmpty()) {
            return "msg_gateway";
        }
        String bare = chatId.startsWith("chatcmpl-") ? chatId.substring("chatcmpl-".length()) : chatId;
        return "msg_" + MessagesJson.toolId(bare, 0);
    }

    /** Anthropic usage from OpenAI's; cached input is a part of the prompt in OpenAI's count only. */
    static void writeUsage(JsonGenerator g, Usage u) throws IOException {
        long prompt = Math.max(0, u.promptTokens());
        long cached = Math.max(0, u.cachedTokens());
        g.writeObjectFieldStart("usage");
        g.writeNumberField("input_tokens", Math.max(0, prompt - cached));
        g.writeNumberField("cache_creation_input_tokens", 0);
        g.writeNumberField("cache_read_input_tokens", cached);
        g.writeNumberField("output_tokens", Math.max(0, u.completionTokens()));
        g.writeEndObject();
    }

    /** The arguments string as a JSON object; anything else (truncated, not an object) is {@code {}}. */
    static void writeInput(JsonGenerator g, String arguments) throws IOException {
        if (arguments != null && !arguments.isBlank()) {
            try (JsonParser a = MessagesJson.FACTORY.createParser(arguments)) {
                if (a.nextToken() == START_OBJECT) {
                    // Validate first: a half-copied object cannot be taken back out of the generator.
                    a.skipChildren();
                    if (a.nextToken() == null) {
                        try (JsonParser copy = MessagesJson.FACTORY.createParser(arguments)) {
                            copy.nextToken();
                            g.copyCurrentStructure(copy);
                            return;
                        }
                    }
                }
            } catch (IOException notJson) {
                // falls through to {}
            }
        }
        g.writeStartObject();
        g.writeEndObject();
    }

    /** Reads {@code usage} (parser on its START_OBJECT). */
    static Usage readUsage(JsonParser p) throws IOException {
        long prompt = -1, completion = -1, total = -1, cached = -1;
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (v == VALUE_NUMBER_INT) {
                switch (f) {
                    case "prompt_tokens":
                        prompt = p.getLongValue();
                        break;
                    case "completion_tokens":
                        completion = p.getLongValue();
                        break;
                    case "total_tokens":
                        total = p.getLongValue();
                        break;
                    default:
                        break;
                }
            } else if ("prompt_tokens_details".equals(f) && v == START_OBJECT) {
                while (p.nextToken() == FIELD_NAME) {
                    String d = p.currentName();
                    if (p.nextToken() == VALUE_NUMBER_INT && "cached_tokens".equals(d)) {
                        cached = p.getLongValue();
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        if (total < 0 && prompt >= 0 && completion >= 0) {
            total = prompt + completion;
        }
        return new Usage(prompt, completion, total, cached < 0 && prompt >= 0 ? 0 : cached);
    }

    private static Call readCall(JsonParser p) throws IOException {
        String id = null, name = null, args = null;
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if ("id".equals(f) && v == VALUE_STRING) {
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
        return new Call(id, name, args);
    }

    private static ApiException bad() {
        return new ApiException(ApiError.badGateway(
                "upstream_invalid_response", "The upstream provider returned a response that could not be read."));
    }
}
