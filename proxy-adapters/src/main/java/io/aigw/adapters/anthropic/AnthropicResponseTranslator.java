package io.aigw.adapters.anthropic;

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
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates a non-streamed Anthropic {@code message} into an OpenAI {@code chat.completion}
 * (PROTOCOLS 4.4-4.6): text blocks joined into {@code message.content} (null when there is none),
 * {@code tool_use} blocks into {@code tool_calls} with the input serialised as the arguments string,
 * thinking and other blocks dropped. One streaming pass over the input; the output is written
 * with a generator straight into a pooled buffer.
 */
public final class AnthropicResponseTranslator {

    private AnthropicResponseTranslator() {}

    /** The OpenAI body (owned by the caller) and what the proxy accounts for. */
    public record Translated(ByteBuf body, Usage usage, String finishReason) {}

    private record ToolCall(String id, String name, String arguments) {}

    /**
     * Anthropic {@code message} JSON → OpenAI chat.completion JSON in a new pooled buffer. Does not
     * take ownership of {@code anthropicBody}. With {@code jsonSchemaTool} (response_format
     * emulation) the {@code json_schema_output} tool's input becomes the content, no tool_calls.
     *
     * @throws ApiException (502) when the upstream body is not a readable Anthropic message
     */
    public static Translated translate(
            ByteBuf anthropicBody, long created, boolean jsonSchemaTool, ByteBufAllocator alloc) {
        String id = null;
        String model = null;
        String stopReason = null;
        long input = -1, output = -1, cacheCreation = -1, cacheRead = -1;
        StringBuilder text = null;
        String schemaOutput = null;
        List<ToolCall> tools = new ArrayList<>(0);
        try (JsonParser p = AnthropicResponseJson.parser(anthropicBody)) {
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
                    case "stop_reason":
                        stopReason = v == VALUE_STRING ? p.getText() : null;
                        break;
                    case "content":
                        if (v == START_ARRAY) {
                            while (p.nextToken() == START_OBJECT) {
                                Block b = readBlock(p);
                                if ("text".equals(b.type) && b.text != null) {
                                    text = text == null ? new StringBuilder(b.text) : text.append(b.text);
                                } else if ("tool_use".equals(b.type)) {
                                    String args = b.input != null ? b.input : "{}";
                                    if (jsonSchemaTool && AnthropicResponseJson.JSON_SCHEMA_TOOL.equals(b.name)) {
                                        schemaOutput = args;
                                    } else {
                                        tools.add(new ToolCall(b.id, b.name, args));
                                    }
                                }
                            }
                            if (p.currentToken() != END_ARRAY) {
                                throw bad();
                            }
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "usage":
                        if (v == START_OBJECT) {
                            while (p.nextToken() == FIELD_NAME) {
                                String f = p.currentName();
                                long n = p.nextToken() == VALUE_NUMBER_INT ? p.getLongValue() : -1;
                                p.skipChildren();
                                switch (f) {
                                    case "input_tokens":
                                        input = n;
                                        break;
                                    case "output_tokens":
                                        output = n;
                                        break;
                                    case "cache_creation_input_tokens":
                                        cacheCreation = n;
                                        break;
                                    case "cache_read_input_tokens":
                                        cacheRead = n;
                                        break;
                                    default:
                                        break;
                                }
                            }
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "type":
                        if (v == VALUE_STRING && !"message".equals(p.getText())) {
                            throw bad();
                        }
                        break;
                    default:
                        p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw bad();
            }
        } catch (IOException e) {
            throw bad();
        }

        String content;
        String finish;
        if (schemaOutput != null) {
            // response_format emulation: the forced tool's input is the answer; texts around it are not.
            content = schemaOutput;
            tools.clear();
            finish = "tool_use".equals(stopReason) ? "stop" : AnthropicResponseJson.finishReason(stopReason);
        } else {
            content = text == null ? null : text.toString();
            finish = AnthropicResponseJson.finishReason(stopReason);
        }
        Usage usage = AnthropicResponseJson.usage(input, output, cacheCreation, cacheRead);

        ByteBuf out = alloc.buffer(256 + (content == null ? 0 : content.length() + content.length() / 8));
        try (JsonGenerator g =
                AnthropicResponseJson.FACTORY.createGenerator((java.io.OutputStream) new ByteBufOutputStream(out))) {
            g.writeStartObject();
            g.writeStringField("id", "chatcmpl-" + (id != null ? id : "anthropic"));
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", created);
            g.writeStringField("model", model != null ? model : "");
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("message");
            g.writeStringField("role", "assistant");
            g.writeStringField("content", content);
            g.writeNullField("refusal");
            if (!tools.isEmpty()) {
                g.writeArrayFieldStart("tool_calls");
                for (ToolCall t : tools) {
                    g.writeStartObject();
                    g.writeStringField("id", t.id);
                    g.writeStringField("type", "function");
                    g.writeObjectFieldStart("function");
                    g.writeStringField("name", t.name);
                    g.writeStringField("arguments", t.arguments);
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", finish);
            g.writeEndObject();
            g.writeEndArray();
            writeUsage(g, usage);
            g.writeEndObject();
        } catch (IOException | RuntimeException e) {
            out.release();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        return new Translated(out, usage, finish);
    }

    /** {@code "usage":{...}} with prompt_tokens_details.cached_tokens. */
    static void writeUsage(JsonGenerator g, Usage u) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", u.promptTokens());
        g.writeNumberField("completion_tokens", u.completionTokens());
        g.writeNumberField("total_tokens", u.totalTokens());
        g.writeObjectFieldStart("prompt_tokens_details");
        g.writeNumberField("cached_tokens", u.cachedTokens());
        g.writeEndObject();
        g.writeEndObject();
    }

    private static final class Block {
        String type;
        String text;
        String id;
        String name;
        String input;
    }

    /** Reads one content block (parser on its START_OBJECT); the tool input is re-serialised compactly. */
    private static Block readBlock(JsonParser p) throws IOException {
        Block b = new Block();
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if ("input".equals(f) && v != JsonToken.VALUE_NULL) {
                StringWriter w = new StringWriter();
                try (JsonGenerator g = AnthropicResponseJson.FACTORY.createGenerator(w)) {
                    g.copyCurrentStructure(p);
                }
                b.input = w.toString();
            } else if (v == VALUE_STRING) {
                switch (f) {
                    case "type":
                        b.type = p.getText();
                        break;
                    case "text":
                        b.text = p.getText();
                        break;
                    case "id":
                        b.id = p.getText();
                        break;
                    case "name":
                        b.name = p.getText();
                        break;
                    default:
                        break;
                }
            } else {
                p.skipChildren();
            }
        }
        return b;
    }

    private static ApiException bad() {
        return new ApiException(ApiError.badGateway(
                "upstream_invalid_response", "The upstream provider returned a response that could not be read."));
    }
}
