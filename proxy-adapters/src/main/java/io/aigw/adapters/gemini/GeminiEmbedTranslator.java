package io.aigw.adapters.gemini;

import static com.fasterxml.jackson.core.JsonToken.END_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Arrays;
import java.util.Base64;

/**
 * OpenAI embeddings ↔ Gemini {@code POST /v1beta/models/{id}:batchEmbedContents} (one
 * {@code requests[]} entry per input string). Gemini takes text only (no token arrays) and always
 * answers with float arrays, so {@code encoding_format: base64} is done here: little-endian float32,
 * as OpenAI encodes it. Gemini reports no token count for embeddings unless it sends
 * {@code usageMetadata}; the OpenAI body then says 0, which its SDKs require to be present.
 */
public final class GeminiEmbedTranslator {

    private GeminiEmbedTranslator() {}

    /** The Gemini body (the caller releases it) and whether the client wants base64 vectors. */
    public record Request(ByteBuf body, boolean base64) {}

    /** The OpenAI body (owned by the caller) and the usage to account for. */
    public record Translated(ByteBuf body, Usage usage) {}

    /** Does not release or move {@code openAiBody}; a 400 for inputs Gemini cannot take. */
    public static Request request(ByteBuf openAiBody, String modelId, ByteBufAllocator alloc) {
        JsonNode root = GeminiJson.readRequest(openAiBody);
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
        JsonNode dimensions = root.get("dimensions");
        if (dimensions != null && !dimensions.isNull() && !dimensions.isIntegralNumber()) {
            throw new ApiException(ApiError.badRequest("invalid_type", "dimensions", "dimensions must be an integer."));
        }
        String model = "models/" + modelId;
        ByteBuf body = GeminiJson.write(alloc, openAiBody.readableBytes() * 2 + 64, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("requests");
            for (JsonNode text : input.isArray() ? input : java.util.List.of(input)) {
                g.writeStartObject();
                g.writeStringField("model", model);
                g.writeObjectFieldStart("content");
                g.writeArrayFieldStart("parts");
                g.writeStartObject();
                g.writeStringField("text", text.textValue());
                g.writeEndObject();
                g.writeEndArray();
                g.writeEndObject();
                if (dimensions != null && !dimensions.isNull()) {
                    g.writeNumberField("outputDimensionality", dimensions.intValue());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
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
     * Gemini's {@code {embeddings:[{values:[...]}]}} → OpenAI's embedding list, in one streaming pass
     * (no vector is materialised for the float format). Does not take ownership of {@code geminiBody}.
     *
     * @throws ApiException (502) when the body is not a readable Gemini answer
     */
    public static Translated response(ByteBuf geminiBody, String model, boolean base64, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(Math.max(256, geminiBody.readableBytes() + 128));
        boolean ok = false;
        try (JsonParser p = GeminiJson.parser(geminiBody);
                JsonGenerator g = GeminiJson.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(out))) {
            long promptTokens = -1;
            boolean sawEmbeddings = false;
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            if (p.nextToken() != START_OBJECT) {
                throw GeminiJson.unreadable();
            }
            while (p.nextToken() == FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("embeddings".equals(name) && v == START_ARRAY && !sawEmbeddings) {
                    sawEmbeddings = true;
                    writeEmbeddings(p, g, base64);
                } else if ("usageMetadata".equals(name) && v == START_OBJECT) {
                    while (p.nextToken() == FIELD_NAME) {
                        String f = p.currentName();
                        if (p.nextToken() == VALUE_NUMBER_INT && "promptTokenCount".equals(f)) {
                            promptTokens = p.getLongValue();
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (!sawEmbeddings || p.nextToken() != null) {
                throw GeminiJson.unreadable();
            }
            g.writeEndArray();
            g.writeStringField("model", model);
            long n = Math.max(0, promptTokens);
            g.writeObjectFieldStart("usage");
            g.writeNumberField("prompt_tokens", n);
            g.writeNumberField("total_tokens", n);
            g.writeEndObject();
            g.writeEndObject();
            g.close();
            ok = true;
            return new Translated(out, promptTokens < 0 ? Usage.NONE : new Usage(n, 0, n, 0));
        } catch (IOException e) {
            throw GeminiJson.unreadable();
        } finally {
            if (!ok) {
                out.release();
            }
        }
    }

    /** Parser on the embeddings START_ARRAY; writes one OpenAI embedding object per {values:[...]}. */
    private static void writeEmbeddings(JsonParser p, JsonGenerator g, boolean base64) throws IOException {
        int index = 0;
        while (p.nextToken() == START_OBJECT) {
            boolean sawValues = false;
            while (p.nextToken() == FIELD_NAME) {
                String f = p.currentName();
                if (p.nextToken() == START_ARRAY && "values".equals(f) && !sawValues) {
                    sawValues = true;
                    g.writeStartObject();
                    g.writeStringField("object", "embedding");
                    g.writeNumberField("index", index++);
                    g.writeFieldName("embedding");
                    if (base64) {
                        g.writeString(base64(p));
                    } else {
                        g.writeStartArray();
                        while (p.nextToken().isNumeric()) {
                            g.copyCurrentEvent(p); // the number's text as Gemini wrote it
                        }
                        expectEnd(p);
                        g.writeEndArray();
                    }
                    g.writeEndObject();
                } else {
                    p.skipChildren();
                }
            }
            if (!sawValues) {
                throw GeminiJson.unreadable();
            }
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
        return Base64.getEncoder().encodeToString(Arrays.copyOf(bytes.array(), bytes.position()));
    }

    private static void expectEnd(JsonParser p) {
        if (p.currentToken() != END_ARRAY) {
            throw GeminiJson.unreadable();
        }
    }
}
