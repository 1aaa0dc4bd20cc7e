package io.aigw.adapters.gemini;

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
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.SecureRandom;

/** What the Gemini translators share: one Jackson setup, buffer I/O and tool-call ids. */
final class GeminiJson {

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

    private GeminiJson() {}

    /** Writes one JSON value; the generator is the caller's only view of the buffer. */
    interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    /** Writes into a new pooled buffer the caller owns; the buffer is released on failure. */
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

    static ApiException unreadable() {
        return new ApiException(ApiError.badGateway(
                "upstream_invalid_response", "The upstream provider returned a response that could not be read."));
    }

    /** The current value re-serialised compactly: OpenAI's tool arguments are a string of JSON. */
    static String compact(JsonParser p) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.copyCurrentStructure(p);
        }
        return w.toString();
    }

    /** {@code call_} and 24 random alphanumerics, for a Gemini function call that carries no signature. */
    static String newToolCallId() {
        char[] c = new char[24];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return "call_" + new String(c);
    }
}
