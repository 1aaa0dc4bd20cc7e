package io.aigw.adapters.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * OpenAI chat-completions body → Ollama native {@code POST /api/chat} body (PROTOCOLS 6.2).
 * Fields Ollama has no equivalent for (logit_bias, user, logprobs, tool_choice other than none,
 * parallel_tool_calls, ...) are dropped rather than refused: Ollama's own /v1 layer ignores them too.
 * Key order is fixed (model, messages, stream, tools, format, options).
 */
public final class OllamaRequestTranslator {

    private OllamaRequestTranslator() {}

    /** The Ollama body (the caller releases it), and what the response side needs. */
    public record Result(ByteBuf body, boolean stream, boolean includeUsage) {}

    /**
     * Does not release or move {@code openAiBody}. Throws {@link ApiException} (400) for what
     * Ollama cannot express, before anything is allocated.
     */
    public static Result translate(ByteBuf openAiBody, String modelId, ByteBufAllocator alloc) {
        JsonNode root = OllamaJson.readRequest(openAiBody);
        checkN(root.get("n"));
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("model", modelId);
        out.set("messages", OllamaMessages.convert(root.get("messages")));
        JsonNode s = root.get("stream");
        boolean stream = s != null && s.asBoolean(false);
        // Ollama streams when stream is absent; OpenAI does not. So it is always sent.
        out.put("stream", stream);
        JsonNode tools = root.get("tools");
        if (tools != null
                && !tools.isNull()
                && !"none".equals(root.path("tool_choice").asText(""))) {
            if (!tools.isArray()) {
                throw new ApiException(ApiError.badRequest("invalid_type", "tools", "tools must be an array."));
            }
            out.set("tools", tools); // Ollama takes OpenAI's {type:function, function:{...}} form as it is
        }
        JsonNode format = format(root.get("response_format"));
        if (format != null) {
            out.set("format", format);
        }
        ObjectNode options = OptionFields.map(root);
        if (options != null) {
            out.set("options", options);
        }
        boolean includeUsage =
                stream && root.path("stream_options").path("include_usage").asBoolean(false);
        ByteBuf body = OllamaJson.write(alloc, openAiBody.readableBytes() + 64, g -> g.writeTree(out));
        return new Result(body, stream, includeUsage);
    }

    /** Ollama returns one choice; more would silently be lost, so n > 1 is refused. */
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

    /** json_object → "json"; json_schema → the schema itself; text or absent → no format. */
    private static JsonNode format(JsonNode rf) {
        if (rf == null || rf.isNull()) {
            return null;
        }
        switch (rf.path("type").asText("")) {
            case "text":
                return null;
            case "json_object":
                return JsonNodeFactory.instance.textNode("json");
            case "json_schema":
                JsonNode schema = rf.path("json_schema").get("schema");
                if (schema == null || !schema.isObject()) {
                    throw new ApiException(ApiError.badRequest(
                            "invalid_value",
                            "response_format",
                            "response_format.json_schema.schema must be an object."));
                }
                return schema;
            default:
                throw new ApiException(ApiError.badRequest(
                        "invalid_value",
                        "response_format",
                        "response_format.type must be text, json_object or json_schema."));
        }
    }
}
