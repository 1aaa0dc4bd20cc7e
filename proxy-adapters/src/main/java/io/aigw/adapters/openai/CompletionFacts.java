package io.aigw.adapters.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;

/**
 * What the request log needs from a whole (non-streamed) OpenAI-shaped answer: usage and finish
 * reason, read with the streaming parser without materialising anything else; and, for an error
 * answer, its {@code code: message}.
 */
public record CompletionFacts(Usage usage, String finishReason) {
    public static final CompletionFacts NONE = new CompletionFacts(Usage.NONE, null);

    /** Bodies up to this size are parsed whole; past it only the tail is read (see {@link #ofAnswer}). */
    static final int WHOLE_PARSE_LIMIT = 256 * 1024;

    private static final int TAIL = 4096;
    private static final byte[] USAGE = "\"usage\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * The facts of an answer, cheaply enough for an event loop: a body up to 256 KB is parsed whole;
     * a bigger one (embeddings) only from a {@code "usage"} key in its last 4 KB, where OpenAI-shaped
     * answers put it, so a megabyte of vectors is never walked.
     */
    public static CompletionFacts ofAnswer(ByteBuf body) {
        if (body.readableBytes() <= WHOLE_PARSE_LIMIT) {
            return of(body);
        }
        int end = body.writerIndex();
        int from = Math.max(body.readerIndex(), end - TAIL);
        for (int i = end - USAGE.length; i >= from; i--) {
            if (matchesAt(body, i)) {
                int colon = body.indexOf(i + USAGE.length, end, (byte) ':');
                if (colon < 0) {
                    return NONE;
                }
                try (JsonParser p = parser(body.slice(colon + 1, end - colon - 1))) {
                    if (p.nextToken() != JsonToken.START_OBJECT) {
                        return NONE;
                    }
                    return new CompletionFacts(CompletionReader.readUsageObject(p), null);
                } catch (IOException e) {
                    return NONE;
                }
            }
        }
        return NONE;
    }

    private static boolean matchesAt(ByteBuf body, int at) {
        for (int j = 0; j < USAGE.length; j++) {
            if (body.getByte(at + j) != USAGE[j]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads {@code body} without moving its indices; {@link #NONE} when it is not a JSON object. A
     * small body is read by {@link CompletionScan}, without a parser; Jackson reads the rest and
     * whatever the scan is not certain of.
     */
    public static CompletionFacts of(ByteBuf body) {
        CompletionFacts scanned = CompletionScan.read(body);
        return scanned != null ? scanned : byJackson(body);
    }

    /** {@link #of} by Jackson alone (the scan's tests compare with it). */
    static CompletionFacts byJackson(ByteBuf body) {
        CompletionReader reader = new CompletionReader();
        try (JsonParser p = parser(body)) {
            if (reader.read(p) != JsonToken.START_OBJECT) {
                return NONE;
            }
        } catch (IOException e) {
            return NONE;
        }
        return new CompletionFacts(reader.usage == null ? Usage.NONE : reader.usage, reader.lastFinishReason);
    }

    /**
     * {@code "code: message"} of an error body (either may be missing), or null when it has none:
     * OpenAI's {@code {"error":{"code","message",...}}}, or Anthropic's {@code
     * {"type":"error","error":{"type","message"}}}, whose error type stands in for the code it lacks.
     */
    public static String errorSummary(ByteBuf body) {
        boolean typedError = false; // Anthropic's "type":"error", before or after its "error"
        String[] error = null; // code, message, type
        try (JsonParser p = parser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("error".equals(name) && v == JsonToken.START_OBJECT) {
                    error = readError(p);
                } else if ("type".equals(name) && v == JsonToken.VALUE_STRING) {
                    typedError = "error".equals(p.getText());
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            // A body cut after its error object (a bounded copy) still names it.
        }
        if (error == null) {
            return null;
        }
        String code = error[0] != null ? error[0] : typedError ? error[2] : null;
        String message = error[1];
        if (code == null && message == null) {
            return null;
        }
        return code == null ? message : message == null ? code : code + ": " + message;
    }

    /** The error object's scalar code, message and type (each null when missing). */
    private static String[] readError(JsonParser p) throws IOException {
        String[] found = new String[3];
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            int slot = "code".equals(name) ? 0 : "message".equals(name) ? 1 : "type".equals(name) ? 2 : -1;
            if (slot >= 0 && v.isScalarValue() && v != JsonToken.VALUE_NULL) {
                found[slot] = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return found;
    }

    private static JsonParser parser(ByteBuf body) throws IOException {
        if (body.hasArray()) {
            return OpenAiJson.RESPONSES.createParser(
                    body.array(), body.arrayOffset() + body.readerIndex(), body.readableBytes());
        }
        return OpenAiJson.RESPONSES.createParser((java.io.InputStream) new ByteBufInputStream(body.duplicate()));
    }
}
