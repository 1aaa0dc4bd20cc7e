package io.aigw.adapters;

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
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;

/**
 * The Jackson setup every translator shares (thread-safe, made once), copy-free parsers over buffers,
 * writing into pooled buffers, and the errors for bodies that do not parse. Each provider's and client
 * API's package keeps only what is its own.
 */
public final class JsonSupport {

    /**
     * Client bodies: shallow nesting is plenty for any API's requests and bounds stack use; strings may be
     * large because messages can carry base64 images (the server's body limit is the real cap).
     */
    public static final JsonFactory CLIENT = factory(128);

    /** Upstream bodies and SSE data: trusted more, so Jackson's default depth; large embeddings. */
    public static final JsonFactory UPSTREAM = factory(StreamReadConstraints.DEFAULT_MAX_DEPTH);

    /**
     * Trees of client requests (the translators that restructure a whole request read it once as a tree),
     * and generators that may write trees back: one value per body, no NaN.
     */
    public static final ObjectMapper TREES = JsonMapper.builder(factory(128))
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private JsonSupport() {}

    private static JsonFactory factory(int maxDepth) {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .maxStringLength(256 << 20)
                        .build())
                // Error messages go back to clients: never quote the source document in them, and keep the
                // bad-token excerpt Jackson includes short.
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .errorReportConfiguration(ErrorReportConfiguration.builder()
                        .maxErrorTokenLength(32)
                        .maxRawContentLength(0)
                        .build())
                .build();
    }

    /**
     * A parser over the readable bytes; byte offsets it reports are relative to readerIndex. A heap buffer is
     * parsed in place; otherwise Jackson streams through its own recycled buffer from a duplicate, so the
     * caller's indices and reference count stay untouched.
     */
    public static JsonParser parser(JsonFactory factory, ByteBuf body) throws IOException {
        int len = body.readableBytes();
        if (body.hasArray()) {
            return factory.createParser(body.array(), body.arrayOffset() + body.readerIndex(), len);
        }
        InputStream in = new ByteBufInputStream(body.duplicate(), len);
        return factory.createParser(in);
    }

    /** Writes one JSON value; the generator is the caller's only view of the buffer. */
    public interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    /** Writes into a new pooled buffer the caller owns; the buffer is released on failure. */
    public static ByteBuf write(JsonFactory factory, ByteBufAllocator alloc, int sizeHint, Writer w) {
        ByteBuf out = alloc.buffer(sizeHint);
        boolean ok = false;
        // The cast picks the OutputStream overload: ByteBufOutputStream is also a DataOutput.
        try (JsonGenerator g = factory.createGenerator((OutputStream) new ByteBufOutputStream(out))) {
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

    /** The client's request body as a tree; a 400 in OpenAI's shape when it is not a JSON object. */
    public static JsonNode readRequest(ByteBuf body) {
        JsonNode root;
        try (JsonParser p = parser(TREES.getFactory(), body)) {
            root = TREES.readTree(p);
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

    /** A provider's answer that could not be read: the client's 502. */
    public static ApiException unreadable() {
        return new ApiException(ApiError.badGateway(
                "upstream_invalid_response", "The upstream provider returned a response that could not be read."));
    }

    /** {@code call_} and 24 random alphanumerics: for providers whose tool calls carry no id of their own. */
    public static String newToolCallId() {
        char[] c = new char[24];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return "call_" + new String(c);
    }
}
