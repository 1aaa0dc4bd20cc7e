package io.aigw.adapters.messages;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Anthropic Messages request body to OpenAI chat-completions request body, for an Anthropic client
 * routed to a provider that speaks chat (or whose dialect starts from chat).
 *
 * <p>The input is read as a tree: a request is translated once per call and tool results must be
 * regrouped. Everything that can fail with a 400 runs before the output buffer is allocated; the
 * output is written by a generator into one pooled buffer in a fixed key order, so the same request
 * always produces the same bytes. A streamed request always asks for {@code include_usage}: the
 * Anthropic client gets usage in {@code message_delta} whether or not it asked.
 */
public final class MessagesRequestTranslator {
    private static final ObjectMapper MAPPER = JsonMapper.builder(MessagesJson.FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Top-level fields only Anthropic's own servers can honour: refused rather than silently lost. */
    private static final Set<String> REFUSED = Set.of("container", "mcp_servers");

    private MessagesRequestTranslator() {}

    /** The chat body (the caller releases it) and whether the client asked for a stream. */
    public record Result(ByteBuf body, boolean stream) {}

    /**
     * Translates {@code messagesBody} (not released, indices untouched) into a chat body whose
     * {@code model} is {@code modelId} (the client's own when null). Throws {@link ApiException}
     * (400) for what chat cannot express: server tools, documents, containers, MCP servers.
     */
    public static Result translate(ByteBuf messagesBody, String modelId, ByteBufAllocator alloc) {
        JsonNode root = parse(messagesBody);
        for (String f : REFUSED) {
            if (present(root, f)) {
                throw unsupported(f, "'" + f + "' is only supported by Anthropic providers.");
            }
        }
        String model = modelId != null ? modelId : text(root, "model", "model");
        List<ChatMessage> messages = new ArrayList<>();
        String system = system(root.get("system"));
        if (system != null) {
            messages.add(ChatMessage.system(system));
        }
        JsonNode in = root.get("messages");
        if (in == null || !in.isArray() || in.isEmpty()) {
            throw new ApiException(ApiError.badRequest(
                    "missing_required_parameter", "messages", "messages: Field required (a non-empty array)."));
        }
        for (int i = 0; i < in.size(); i++) {
            Turns.add(in.get(i), "messages." + i, messages);
        }
        Tools tools = Tools.of(root);
        Integer maxTokens = maxTokens(root);
        List<String> stops = stops(root.get("stop_sequences"));
        String effort = reasoningEffort(root.get("thinking"));
        String user = user(root.get("metadata"));
        boolean stream = root.path("stream").asBoolean(false);

        ByteBuf out = alloc.buffer(messagesBody.readableBytes() + 256);
        boolean ok = false;
        try (JsonGenerator g = MAPPER.createGenerator((OutputStream) new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("model", model);
            g.writeArrayFieldStart("messages");
            for (ChatMessage m : messages) {
                m.write(g);
            }
            g.writeEndArray();
            if (maxTokens != null) {
                g.writeNumberField("max_completion_tokens", maxTokens);
            }
            if (!stops.isEmpty()) {
                g.writeArrayFieldStart("stop");
                for (String s : stops) {
                    g.writeString(s);
                }
                g.writeEndArray();
            }
            for (String f : new String[] {"temperature", "top_p"}) {
                JsonNode v = root.get(f);
                if (v != null && v.isNumber()) {
                    g.writeFieldName(f);
                    g.writeTree(v);
                }
            }
            if (user != null) {
                g.writeStringField("user", user);
            }
            if (effort != null) {
                g.writeStringField("reasoning_effort", effort);
            }
            tools.write(g);
            if (stream) {
                g.writeBooleanField("stream", true);
                g.writeObjectFieldStart("stream_options");
                g.writeBooleanField("include_usage", true);
                g.writeEndObject();
            }
            g.writeEndObject();
            ok = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory
        } finally {
            if (!ok) {
                out.release();
            }
        }
        return new Result(out, stream);
    }

    private static JsonNode parse(ByteBuf body) {
        JsonNode root;
        try (ByteBufInputStream in = new ByteBufInputStream(body.duplicate(), false)) {
            root = MAPPER.readTree((java.io.InputStream) in);
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

    /** A string, or text blocks joined by blank lines; null when there is no text. */
    private static String system(JsonNode system) {
        if (system == null || system.isNull()) {
            return null;
        }
        if (system.isTextual()) {
            return system.textValue().isEmpty() ? null : system.textValue();
        }
        if (!system.isArray()) {
            throw invalid("system", "system: must be a string or an array of text blocks.");
        }
        StringBuilder b = new StringBuilder();
        for (JsonNode block : system) {
            if (!"text".equals(block.path("type").asText())
                    || !block.path("text").isTextual()) {
                throw invalid("system", "system: only text blocks are supported.");
            }
            if (b.length() > 0) {
                b.append("\n\n");
            }
            b.append(block.get("text").textValue());
        }
        return b.length() == 0 ? null : b.toString();
    }

    private static Integer maxTokens(JsonNode root) {
        JsonNode v = root.get("max_tokens");
        if (v == null || v.isNull()) {
            return null; // Anthropic requires it; the provider's own default is the lesser evil here
        }
        if (!v.isIntegralNumber() || v.longValue() < 1 || v.longValue() > Integer.MAX_VALUE) {
            throw invalid("max_tokens", "max_tokens: must be a positive integer.");
        }
        return v.intValue();
    }

    private static List<String> stops(JsonNode stops) {
        List<String> out = new ArrayList<>();
        if (stops == null || stops.isNull()) {
            return out;
        }
        if (!stops.isArray()) {
            throw invalid("stop_sequences", "stop_sequences: must be an array of strings.");
        }
        for (JsonNode s : stops) {
            if (!s.isTextual()) {
                throw invalid("stop_sequences", "stop_sequences: must be an array of strings.");
            }
            out.add(s.textValue());
        }
        return out;
    }

    /** thinking.enabled → reasoning_effort by budget (below 4096 low, below 16384 medium, else high). */
    private static String reasoningEffort(JsonNode thinking) {
        if (thinking == null || thinking.isNull()) {
            return null;
        }
        String type = thinking.path("type").asText();
        if ("adaptive".equals(type)) {
            return "medium";
        }
        if (!"enabled".equals(type)) {
            return null; // disabled
        }
        long budget = thinking.path("budget_tokens").asLong(0);
        return budget < 4096 ? "low" : budget < 16384 ? "medium" : "high";
    }

    private static String user(JsonNode metadata) {
        JsonNode id = metadata == null ? null : metadata.get("user_id");
        return id != null && id.isTextual() ? id.textValue() : null;
    }

    private static boolean present(JsonNode root, String field) {
        JsonNode v = root.get(field);
        return v != null && !v.isNull();
    }

    private static String text(JsonNode root, String field, String param) {
        JsonNode v = root.get(field);
        if (v == null || !v.isTextual()) {
            throw invalid(param, field + ": Field required (a string).");
        }
        return v.textValue();
    }

    static ApiException invalid(String param, String message) {
        return new ApiException(ApiError.badRequest("invalid_value", param, message));
    }

    static ApiException unsupported(String param, String message) {
        return new ApiException(ApiError.badRequest("unsupported_value", param, message));
    }
}
