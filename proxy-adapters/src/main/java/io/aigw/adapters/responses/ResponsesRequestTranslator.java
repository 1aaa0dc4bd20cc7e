package io.aigw.adapters.responses;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * OpenAI Responses request body ({@code CreateResponse}) to OpenAI chat-completions request body,
 * for providers that only speak chat (package-info has the mapping).
 *
 * <p>The input is read as a tree: a request is translated once per call, and function calls must be
 * regrouped into the assistant turn before them. Everything that can fail with a 400 runs before the
 * output buffer is allocated; the chat body is streamed by a generator into one pooled buffer in a
 * fixed key order, so the same request always produces the same bytes.
 */
public final class ResponsesRequestTranslator {

    private ResponsesRequestTranslator() {}

    /**
     * The chat body (the caller releases it), whether the call streams, and the request fields the
     * Response object repeats back.
     */
    public record Result(ByteBuf body, boolean stream, Echo echo) {}

    /**
     * Translates {@code body} (neither released nor moved) for provider {@code provider} (named in
     * the 400s for stateful features). A streamed call asks for {@code include_usage}: the
     * Responses stream always ends with usage.
     */
    public static Result translate(ByteBuf body, String provider, ByteBufAllocator alloc) {
        JsonNode root = parse(body);
        refuseStateful(root, provider);
        String model = Bad.text(root, "model", "model");
        if (model == null) {
            throw Bad.missing("model");
        }
        ChatMessages messages = ChatMessages.of(Bad.field(root, "instructions"), Bad.field(root, "input"));
        ChatTools tools = ChatTools.of(Bad.field(root, "tools"), Bad.field(root, "tool_choice"));
        JsonNode format = format(Bad.field(root, "text"));
        String effort = effort(Bad.field(root, "reasoning"));
        JsonNode maxOutput = integer(root, "max_output_tokens");
        JsonNode temperature = number(root, "temperature");
        JsonNode topP = number(root, "top_p");
        JsonNode parallel = bool(root, "parallel_tool_calls");
        String user = Bad.text(root, "user", "user");
        JsonNode stream = bool(root, "stream");
        boolean streaming = stream != null && stream.booleanValue();
        Echo echo = new Echo(
                model,
                Bad.field(root, "instructions"),
                maxOutput,
                parallel == null || parallel.booleanValue(),
                Bad.field(root, "reasoning"),
                temperature,
                Bad.field(root, "text"),
                Bad.field(root, "tool_choice"),
                Bad.field(root, "tools"),
                topP,
                Bad.field(root, "user"),
                Bad.field(root, "metadata"));

        ByteBuf out = alloc.buffer(body.readableBytes() + 128);
        boolean ok = false;
        try (JsonGenerator g = ResponsesJson.generator(out)) {
            g.writeStartObject();
            g.writeStringField("model", model);
            messages.write(g);
            tools.write(g);
            if (parallel != null) {
                g.writeBooleanField("parallel_tool_calls", parallel.booleanValue());
            }
            if (format != null) {
                g.writeFieldName("response_format");
                g.writeTree(format);
            }
            if (effort != null) {
                g.writeStringField("reasoning_effort", effort);
            }
            if (maxOutput != null) {
                g.writeFieldName("max_completion_tokens");
                g.writeTree(maxOutput);
            }
            if (temperature != null) {
                g.writeFieldName("temperature");
                g.writeTree(temperature);
            }
            if (topP != null) {
                g.writeFieldName("top_p");
                g.writeTree(topP);
            }
            if (user != null) {
                g.writeStringField("user", user);
            }
            if (streaming) {
                g.writeBooleanField("stream", true);
                g.writeObjectFieldStart("stream_options");
                g.writeBooleanField("include_usage", true);
                g.writeEndObject();
            }
            g.writeEndObject();
            ok = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory; not expected
        } finally {
            if (!ok) {
                out.release();
            }
        }
        return new Result(out, streaming, echo);
    }

    /** Conversation state lives at the provider: a chat-only provider has none to offer. */
    private static void refuseStateful(JsonNode root, String provider) {
        String why = null;
        String param = null;
        if (Bad.field(root, "previous_response_id") != null) {
            param = "previous_response_id";
            why = "previous_response_id";
        } else if (Bad.field(root, "conversation") != null) {
            param = "conversation";
            why = "conversation";
        } else if (Bad.field(root, "prompt") != null) {
            param = "prompt";
            why = "a stored prompt";
        } else if (isTrue(root, "store")) {
            param = "store";
            why = "store: true";
        } else if (isTrue(root, "background")) {
            param = "background";
            why = "background: true";
        }
        if (why != null) {
            throw new ApiException(ApiError.badRequest(
                    "unsupported_parameter",
                    param,
                    "Provider '" + provider + "' serves /v1/responses through chat completions and keeps no"
                            + " responses, so " + why + " is not available; route this model to a provider with"
                            + " 'responses: native', or send the whole conversation in 'input' with store: false."));
        }
    }

    private static boolean isTrue(JsonNode root, String name) {
        JsonNode v = Bad.field(root, name);
        return v != null && v.isBoolean() && v.booleanValue();
    }

    /** text.format to response_format; type text is the default and is left out. */
    private static JsonNode format(JsonNode text) {
        if (text == null) {
            return null;
        }
        if (!text.isObject()) {
            throw Bad.type("text", "text must be an object.");
        }
        JsonNode format = Bad.field(text, "format");
        if (format == null) {
            return null;
        }
        String type = Bad.text(format, "type", "text.format.type");
        if (type == null) {
            throw Bad.missing("text.format.type");
        }
        switch (type) {
            case "text":
                return null;
            case "json_object":
                return ResponsesJson.MAPPER.createObjectNode().put("type", "json_object");
            case "json_schema": {
                var schema = ResponsesJson.MAPPER.createObjectNode();
                for (String f : new String[] {"name", "description", "schema", "strict"}) {
                    JsonNode v = Bad.field(format, f);
                    if (v != null) {
                        schema.set(f, v);
                    }
                }
                if (!schema.has("name")) {
                    throw Bad.missing("text.format.name");
                }
                var rf = ResponsesJson.MAPPER.createObjectNode().put("type", "json_schema");
                rf.set("json_schema", schema);
                return rf;
            }
            default:
                throw Bad.unsupported("text.format.type", "text.format.type '" + type + "' is not supported.");
        }
    }

    private static String effort(JsonNode reasoning) {
        if (reasoning == null) {
            return null;
        }
        if (!reasoning.isObject()) {
            throw Bad.type("reasoning", "reasoning must be an object.");
        }
        return Bad.text(reasoning, "effort", "reasoning.effort"); // summary and the rest have no chat twin
    }

    private static JsonNode integer(JsonNode root, String name) {
        JsonNode v = Bad.field(root, name);
        if (v != null && !v.isIntegralNumber()) {
            throw Bad.type(name, name + " must be an integer.");
        }
        return v;
    }

    private static JsonNode number(JsonNode root, String name) {
        JsonNode v = Bad.field(root, name);
        if (v != null && !v.isNumber()) {
            throw Bad.type(name, name + " must be a number.");
        }
        return v;
    }

    private static JsonNode bool(JsonNode root, String name) {
        JsonNode v = Bad.field(root, name);
        if (v != null && !v.isBoolean()) {
            throw Bad.type(name, name + " must be a boolean.");
        }
        return v;
    }

    private static JsonNode parse(ByteBuf body) {
        JsonNode root;
        // A duplicate so the caller's readerIndex does not move; the stream does not release it.
        try (ByteBufInputStream in = new ByteBufInputStream(body.duplicate(), false)) {
            root = ResponsesJson.MAPPER.readTree(in);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            long at = loc == null ? -1 : loc.getByteOffset();
            // Jackson's own message can quote request content, so only the position is reported.
            throw new ApiException(ApiError.invalidJson(
                    "We could not parse the JSON body of your request" + (at >= 0 ? " (at byte " + at + ")." : ".")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || !root.isObject()) {
            throw new ApiException(ApiError.invalidJson("The request body must be a JSON object."));
        }
        return root;
    }
}
