package io.aigw.adapters.ollama;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;

/** What the Ollama translators share: one Jackson setup, buffer I/O, ids and the usage shape. */
final class OllamaJson {

    /** Shallow nesting bounds stack use; strings stay large for base64 images. */
    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(128)
                            .maxStringLength(256 << 20)
                            .build())
                    .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                    // Parse errors must not quote request or upstream content back at anyone.
                    .errorReportConfiguration(ErrorReportConfiguration.builder()
                            .maxErrorTokenLength(32)
                            .maxRawContentLength(0)
                            .build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static final JsonFactory FACTORY = MAPPER.getFactory();

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private OllamaJson() {}

    /** Writes one JSON value into a new pooled buffer the caller owns; the buffer is released on failure. */
    interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    static ByteBuf write(ByteBufAllocator alloc, int sizeHint, Writer w) {
        ByteBuf out = alloc.buffer(sizeHint);
        boolean ok = false;
        // The cast picks the OutputStream overload: ByteBufOutputStream is also a DataOutput.
        try (JsonGenerator g = FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(out))) {
            w.write(g);
            ok = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory; not expected
        } finally {
            if (!ok) {
                out.release();
            }
        }
        return out;
    }

    /** A parser over the readable bytes, in place for heap buffers; indices and refCnt untouched. */
    static JsonParser parser(ByteBuf body) throws IOException {
        int len = body.readableBytes();
        if (body.hasArray()) {
            return FACTORY.createParser(body.array(), body.arrayOffset() + body.readerIndex(), len);
        }
        return FACTORY.createParser((java.io.InputStream) new ByteBufInputStream(body.duplicate(), len));
    }

    /** The client's request body as a tree; a 400 in OpenAI's shape when it is not a JSON object. */
    static JsonNode readRequest(ByteBuf body) {
        JsonNode root;
        try (JsonParser p = parser(body)) {
            root = MAPPER.readTree(p);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            long at = loc == null ? -1 : loc.getByteOffset();
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

    /** The upstream's answer as a tree; a 502 when it is not a JSON object. */
    static JsonNode readUpstream(ByteBuf body) {
        try (JsonParser p = parser(body)) {
            JsonNode root = MAPPER.readTree(p);
            if (root != null && root.isObject()) {
                return root;
            }
        } catch (IOException e) {
            // reported below
        }
        throw unreadable();
    }

    static ApiException unreadable() {
        return new ApiException(ApiError.badGateway(
                "upstream_invalid_response", "The upstream provider returned a response that could not be read."));
    }

    /** {@code call_} and 24 random alphanumerics: Ollama's tool calls have no ids, OpenAI clients need them. */
    static String newToolCallId() {
        char[] c = new char[24];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return "call_" + new String(c);
    }

    /** prompt_eval_count / eval_count (-1 = absent) → OpenAI usage; Ollama reports no cache split. */
    static Usage usage(long promptEvalCount, long evalCount) {
        long prompt = Math.max(0, promptEvalCount);
        long completion = Math.max(0, evalCount);
        return new Usage(prompt, completion, prompt + completion, 0);
    }

    static void writeUsage(JsonGenerator g, Usage u) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", u.promptTokens());
        g.writeNumberField("completion_tokens", u.completionTokens());
        g.writeNumberField("total_tokens", u.totalTokens());
        g.writeEndObject();
    }

    /**
     * OpenAI finish_reason from Ollama's done_reason: any tool call wins (Ollama keeps saying
     * "stop" when it calls tools), "length" maps through, anything else (stop, load, unknown) is stop.
     */
    static String finishReason(String doneReason, boolean toolCalls) {
        if (toolCalls) {
            return "tool_calls";
        }
        return "length".equals(doneReason) ? "length" : "stop";
    }
}
