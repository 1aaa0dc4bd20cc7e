package io.aigw.adapters.anthropic;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
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
import java.util.Map;

/**
 * OpenAI chat-completions request body to Anthropic Messages request body.
 *
 * <p>The input is read as a tree: a request is translated once per call, and the mapping needs
 * random access (system messages anywhere, tool replies regrouped). Everything that can fail with a
 * 400 runs before the output buffer is allocated; the output is streamed by a generator into one
 * pooled buffer in a fixed key order (model, system, messages, max_tokens, then the rest), so the
 * same request always produces the same bytes.
 */
public final class AnthropicRequestTranslator {
    /** Used when the caller has no per-model default; LiteLLM's long-standing default. */
    static final int FALLBACK_MAX_TOKENS = 4096;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    // Shallow nesting bounds stack use; strings stay large for base64 images.
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(128)
                            .maxStringLength(256 << 20)
                            .build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private AnthropicRequestTranslator() {}

    /**
     * The Anthropic body (the caller releases it) and what the response side needs to know: whether
     * the call streams, whether the client asked for a usage chunk (stream_options.include_usage,
     * which Anthropic has no field for), and whether a json_schema response_format became the forced
     * {@value ToolMapper#JSON_SCHEMA_TOOL} tool whose tool_use must be turned back into content.
     */
    public record Result(ByteBuf body, boolean stream, boolean includeUsage, boolean jsonSchemaTool) {}

    /**
     * Translates an OpenAI chat-completions body into an Anthropic Messages body written into one
     * pooled buffer from {@code alloc}, which the caller owns. {@code openAiBody} is neither
     * released nor moved. Throws {@link ApiException} (400) for inputs Anthropic cannot express.
     */
    public static Result translate(ByteBuf openAiBody, String modelId, int defaultMaxTokens, ByteBufAllocator alloc) {
        JsonNode root = parse(openAiBody);
        checkN(root);
        MessageConverter.Conversation conversation = MessageConverter.convert(root.get("messages"), MAPPER);
        int maxTokens = maxTokens(root, defaultMaxTokens > 0 ? defaultMaxTokens : FALLBACK_MAX_TOKENS);
        List<String> stops = stopSequences(Invalid.field(root, "stop"));
        List<Map.Entry<String, JsonNode>> scalars = ScalarFields.map(root);
        String user = Invalid.text(root, "user", "user", "request");
        ToolMapper.Plan tools = ToolMapper.plan(root, MAPPER);
        JsonNode stream = Invalid.field(root, "stream");
        boolean streaming = stream != null && stream.booleanValue();
        JsonNode options = Invalid.field(root, "stream_options");
        boolean includeUsage =
                streaming && options != null && options.path("include_usage").booleanValue();

        ByteBuf out = alloc.buffer(openAiBody.readableBytes() + 256);
        boolean ok = false;
        try (JsonGenerator g = MAPPER.createGenerator(
                // The cast picks the OutputStream overload: ByteBufOutputStream is also a DataOutput.
                (OutputStream) new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("model", modelId);
            if (!conversation.system().isEmpty()) {
                g.writeArrayFieldStart("system");
                for (Blocks.Text t : conversation.system()) {
                    t.write(g);
                }
                g.writeEndArray();
            }
            g.writeArrayFieldStart("messages");
            for (MessageConverter.Turn turn : conversation.turns()) {
                g.writeStartObject();
                g.writeStringField("role", turn.role());
                g.writeArrayFieldStart("content");
                for (Blocks.Block b : turn.blocks()) {
                    b.write(g);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("max_tokens", maxTokens);
            if (!stops.isEmpty()) {
                g.writeArrayFieldStart("stop_sequences");
                for (String s : stops) {
                    g.writeString(s);
                }
                g.writeEndArray();
            }
            for (Map.Entry<String, JsonNode> e : scalars) {
                g.writeFieldName(e.getKey());
                g.writeTree(e.getValue());
            }
            if (user != null) {
                g.writeObjectFieldStart("metadata");
                g.writeStringField("user_id", user);
                g.writeEndObject();
            }
            tools.write(g);
            g.writeEndObject();
            ok = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory; not expected
        } finally {
            if (!ok) {
                out.release();
            }
        }
        return new Result(out, streaming, includeUsage, tools.jsonSchemaTool());
    }

    private static JsonNode parse(ByteBuf body) {
        JsonNode root;
        // A duplicate so the caller's readerIndex does not move; the stream does not release it.
        try (ByteBufInputStream in = new ByteBufInputStream(body.duplicate(), false)) {
            root = MAPPER.readTree(in);
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

    /** Anthropic returns one choice; n=1 is a no-op, more would silently lose choices, so it is refused. */
    private static void checkN(JsonNode root) {
        JsonNode n = Invalid.field(root, "n");
        if (n == null) {
            return;
        }
        if (!n.isIntegralNumber()) {
            throw Invalid.type("n", "n must be an integer.");
        }
        if (n.longValue() < 1) {
            throw Invalid.value("n", "n must be at least 1.");
        }
        if (n.longValue() > 1) {
            throw Invalid.unsupported("n", "n > 1 is not supported for this model; send n separate requests.");
        }
    }

    /** max_completion_tokens (the current name) wins over the deprecated max_tokens when both are sent. */
    private static int maxTokens(JsonNode root, int fallback) {
        for (String name : new String[] {"max_completion_tokens", "max_tokens"}) {
            JsonNode v = Invalid.field(root, name);
            if (v == null) {
                continue;
            }
            if (!v.isIntegralNumber()) {
                throw Invalid.type(name, name + " must be an integer.");
            }
            if (v.longValue() < 1 || v.longValue() > Integer.MAX_VALUE) {
                throw Invalid.value(name, name + " must be at least 1.");
            }
            return v.intValue();
        }
        return fallback;
    }

    /** String or array to an array; whitespace-only sequences are dropped because Anthropic rejects them. */
    private static List<String> stopSequences(JsonNode stop) {
        List<String> out = new ArrayList<>();
        if (stop == null) {
            return out;
        }
        if (stop.isTextual()) {
            addStop(out, stop.textValue());
            return out;
        }
        if (!stop.isArray()) {
            throw Invalid.type("stop", "stop must be a string or an array of strings.");
        }
        for (JsonNode s : stop) {
            if (!s.isTextual()) {
                throw Invalid.type("stop", "stop must be a string or an array of strings.");
            }
            addStop(out, s.textValue());
        }
        return out;
    }

    private static void addStop(List<String> out, String s) {
        if (!s.isBlank()) {
            out.add(s);
        }
    }
}
