package io.aigw.adapters.ollama;

import static com.fasterxml.jackson.core.JsonToken.END_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * OpenAI embeddings ↔ Ollama {@code POST /api/embed} (PROTOCOLS 6.3). Ollama takes strings only
 * (no token arrays) and always answers with float arrays, so {@code encoding_format: base64} is
 * done here: little-endian float32, as OpenAI and Ollama's own /v1 layer encode it.
 */
public final class OllamaEmbedTranslator {

    private OllamaEmbedTranslator() {}

    /** The Ollama body (the caller releases it) and whether the client wants base64 vectors. */
    public record Request(ByteBuf body, boolean base64) {}

    /** The OpenAI body (owned by the caller) and the usage to account for. */
    public record Translated(ByteBuf body, Usage usage) {}

    /** Does not release or move {@code openAiBody}; a 400 for inputs Ollama cannot take. */
    public static Request request(ByteBuf openAiBody, String modelId, ByteBufAllocator alloc) {
        JsonNode root = OllamaJson.readRequest(openAiBody);
        JsonNode input = root.get("input");
        if (!isStrings(input)) {
            throw new ApiException(ApiError.badRequest(
                    "invalid_value",
                    "input",
                    "input must be a string or an array of strings for this model (token arrays are not supported)."));
        }
        String format = root.path("encoding_format").asText("float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw new ApiException(ApiError.badRequest(
                    "invalid_value", "encoding_format", "encoding_format must be 'float' or 'base64'."));
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("model", modelId);
        out.set("input", input);
        JsonNode dimensions = root.get("dimensions");
        if (dimensions != null && !dimensions.isNull()) {
            if (!dimensions.isIntegralNumber()) {
                throw new ApiException(
                        ApiError.badRequest("invalid_type", "dimensions", "dimensions must be an integer."));
            }
            out.set("dimensions", dimensions);
        }
        ByteBuf body = OllamaJson.write(alloc, openAiBody.readableBytes() + 32, g -> g.writeTree(out));
        return new Request(body, format.equals("base64"));
    }

    private static boolean isStrings(JsonNode input) {
        if (input == null) {
            return false;
        }
        if (input.isTextual()) {
            return true;
        }
        if (!input.isArray() || input.isEmpty()) {
            return false;
        }
        for (JsonNode s : input) {
            if (!s.isTextual()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Ollama's {@code {model, embeddings:[[...]], prompt_eval_count}} → OpenAI's embedding list, in one
     * streaming pass (vectors are large; none is materialised for the float format). Does not take
     * ownership of {@code ollamaBody}.
     *
     * @throws ApiException (502) when the body is not a readable Ollama answer
     */
    public static Translated response(ByteBuf ollamaBody, boolean base64, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(Math.max(256, ollamaBody.readableBytes() + 128));
        boolean ok = false;
        try (JsonParser p = OllamaJson.parser(ollamaBody);
                JsonGenerator g = OllamaJson.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(out))) {
            String model = "";
            long promptTokens = -1;
            boolean sawEmbeddings = false;
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            if (p.nextToken() != START_OBJECT) {
                throw OllamaJson.unreadable();
            }
            while (p.nextToken() == FIELD_NAME) {
                String name = p.currentName();
                var v = p.nextToken();
                if ("model".equals(name) && v == VALUE_STRING) {
                    model = p.getText();
                } else if ("prompt_eval_count".equals(name) && v == VALUE_NUMBER_INT) {
                    promptTokens = p.getLongValue();
                } else if ("embeddings".equals(name) && v == START_ARRAY && !sawEmbeddings) {
                    sawEmbeddings = true;
                    writeVectors(p, g, base64);
                } else {
                    p.skipChildren();
                }
            }
            if (!sawEmbeddings || p.nextToken() != null) {
                throw OllamaJson.unreadable();
            }
            g.writeEndArray();
            g.writeStringField("model", model);
            Usage usage = OllamaJson.usage(promptTokens, 0);
            g.writeObjectFieldStart("usage");
            g.writeNumberField("prompt_tokens", usage.promptTokens());
            g.writeNumberField("total_tokens", usage.totalTokens());
            g.writeEndObject();
            g.writeEndObject();
            g.close();
            ok = true;
            return new Translated(out, usage);
        } catch (IOException e) {
            throw OllamaJson.unreadable();
        } finally {
            if (!ok) {
                out.release();
            }
        }
    }

    /** Parser on the embeddings START_ARRAY; writes one OpenAI embedding object per vector. */
    private static void writeVectors(JsonParser p, JsonGenerator g, boolean base64) throws IOException {
        int index = 0;
        while (p.nextToken() == START_ARRAY) {
            g.writeStartObject();
            g.writeStringField("object", "embedding");
            g.writeNumberField("index", index++);
            g.writeFieldName("embedding");
            if (base64) {
                g.writeString(base64(p));
            } else {
                g.writeStartArray();
                while (p.nextToken().isNumeric()) {
                    g.copyCurrentEvent(p); // the number's text as Ollama wrote it
                }
                expectEnd(p);
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        expectEnd(p);
    }

    private static String base64(JsonParser p) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        while (p.nextToken().isNumeric()) {
            if (!bytes.hasRemaining()) {
                bytes = ByteBuffer.allocate(bytes.capacity() * 2)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .put(bytes.flip());
            }
            bytes.putFloat(p.getFloatValue());
        }
        expectEnd(p);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(bytes.array(), bytes.position()));
    }

    private static void expectEnd(JsonParser p) {
        if (p.currentToken() != END_ARRAY) {
            throw OllamaJson.unreadable();
        }
    }
}
