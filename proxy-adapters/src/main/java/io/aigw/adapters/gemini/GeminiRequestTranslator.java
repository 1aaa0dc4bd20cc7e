package io.aigw.adapters.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * OpenAI chat-completions body → Gemini {@code generateContent} body (PROTOCOLS 7). The model and
 * the stream choice live in the URL, not the body. Fields Gemini has no equivalent for (user,
 * logit_bias, logprobs, parallel_tool_calls, service_tier, ...) are dropped, as Gemini's own
 * OpenAI layer does; n > 1 is refused, because only the first candidate would come back. Key order
 * is fixed (contents, systemInstruction, tools, toolConfig, generationConfig).
 */
public final class GeminiRequestTranslator {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private GeminiRequestTranslator() {}

    /** The Gemini body (the caller releases it), and what the response side needs. */
    public record Result(ByteBuf body, boolean stream, boolean includeUsage) {}

    /**
     * Does not release or move {@code openAiBody}. Throws {@link ApiException} (400) for what Gemini
     * cannot express, before anything is allocated.
     */
    public static Result translate(ByteBuf openAiBody, ByteBufAllocator alloc) {
        JsonNode root = GeminiJson.readRequest(openAiBody);
        checkN(root.get("n"));
        GeminiMessages messages = GeminiMessages.convert(root.get("messages"));
        ObjectNode out = NODES.objectNode();
        out.set("contents", messages.contents);
        if (!messages.system.isEmpty()) {
            out.putObject("systemInstruction").set("parts", messages.system);
        }
        JsonNode tools = root.get("tools");
        // An empty list is no tools: Gemini refuses an empty functionDeclarations.
        if (tools != null && !tools.isNull() && !(tools.isArray() && tools.isEmpty())) {
            out.putArray("tools").addObject().set("functionDeclarations", declarations(tools));
            JsonNode choice = root.get("tool_choice");
            if (choice != null && !choice.isNull()) {
                out.putObject("toolConfig").set("functionCallingConfig", callingConfig(choice));
            }
        }
        ObjectNode config = GenerationFields.map(root);
        if (config != null) {
            out.set("generationConfig", config);
        }
        boolean stream = root.path("stream").asBoolean(false);
        boolean includeUsage =
                stream && root.path("stream_options").path("include_usage").asBoolean(false);
        ByteBuf body = GeminiJson.write(alloc, openAiBody.readableBytes() + 64, g -> g.writeTree(out));
        return new Result(body, stream, includeUsage);
    }

    private static void checkN(JsonNode n) {
        if (n == null || n.isNull()) {
            return;
        }
        if (!n.isIntegralNumber() || n.longValue() < 1) {
            throw new ApiException(ApiError.badRequest("invalid_value", "n", "n must be a positive integer."));
        }
        if (n.longValue() > 1) {
            throw new ApiException(ApiError.badRequest(
                    "unsupported_value", "n", "n > 1 is not supported for this model; send n separate requests."));
        }
    }

    /** OpenAI's {type:function, function:{name, description, parameters}} → functionDeclarations. */
    private static ArrayNode declarations(JsonNode tools) {
        if (!tools.isArray()) {
            throw new ApiException(ApiError.badRequest("invalid_type", "tools", "tools must be an array."));
        }
        ArrayNode out = NODES.arrayNode(tools.size());
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            JsonNode f = t.path("function");
            if (!"function".equals(t.path("type").asText("")) || !f.path("name").isTextual()) {
                throw new ApiException(ApiError.badRequest(
                        "invalid_value",
                        "tools",
                        "tools[" + i + "] must be {\"type\":\"function\",\"function\":{\"name\":...}}."));
            }
            ObjectNode d = out.addObject();
            d.put("name", f.get("name").textValue());
            if (f.path("description").isTextual()) {
                d.put("description", f.get("description").textValue());
            }
            JsonNode parameters = f.get("parameters");
            // Gemini refuses an object schema without properties: a function without arguments has none.
            if (parameters != null
                    && parameters.isObject()
                    && parameters.path("properties").size() > 0) {
                d.set("parameters", GeminiSchemas.clean(parameters));
            }
        }
        return out;
    }

    /** auto → AUTO, none → NONE, required → ANY, a named function → ANY limited to that name. */
    private static ObjectNode callingConfig(JsonNode choice) {
        ObjectNode c = NODES.objectNode();
        if (choice.isTextual()) {
            switch (choice.textValue()) {
                case "auto" -> c.put("mode", "AUTO");
                case "none" -> c.put("mode", "NONE");
                case "required" -> c.put("mode", "ANY");
                default -> throw badChoice();
            }
            return c;
        }
        JsonNode name = choice.path("function").path("name");
        if (!"function".equals(choice.path("type").asText("")) || !name.isTextual()) {
            throw badChoice();
        }
        c.put("mode", "ANY");
        c.putArray("allowedFunctionNames").add(name.textValue());
        return c;
    }

    private static ApiException badChoice() {
        return new ApiException(ApiError.badRequest(
                "invalid_value",
                "tool_choice",
                "tool_choice must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":...}}."));
    }
}
