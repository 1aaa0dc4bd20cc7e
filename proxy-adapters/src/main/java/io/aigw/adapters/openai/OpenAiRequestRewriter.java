package io.aigw.adapters.openai;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Produces the upstream body by splicing the client's bytes at the offsets a {@link RequestScan}
 * recorded: the model value is replaced and, when usage must be forced, {@code include_usage: true}
 * is put in. Everything else is copied byte for byte, so the upstream sees exactly what the client
 * wrote (number spellings, escapes, key order) and no JSON is re-serialised.
 */
public final class OpenAiRequestRewriter {
    private static final byte[] APPEND_OPTIONS = ascii(",\"stream_options\":{\"include_usage\":true}");
    private static final byte[] ONLY_OPTIONS = ascii("\"stream_options\":{\"include_usage\":true}");
    private static final byte[] OPTIONS_OBJECT = ascii("{\"include_usage\":true}");
    private static final byte[] FIRST_FIELD = ascii("\"include_usage\":true,");
    private static final byte[] ONLY_FIELD = ascii("\"include_usage\":true");
    private static final byte[] TRUE = ascii("true");

    private OpenAiRequestRewriter() {}

    /**
     * Returns a new buffer (the caller owns it) holding {@code body} with the model replaced by
     * {@code modelId}. With {@code forceIncludeUsage}, a streamed request whose client did not ask
     * for usage gets {@code stream_options.include_usage: true}; non-streamed requests are left
     * alone because OpenAI rejects stream_options without stream. {@code body} is not modified.
     */
    public static ByteBuf rewrite(
            ByteBufAllocator alloc, ByteBuf body, RequestScan scan, String modelId, boolean forceIncludeUsage) {
        int len = body.readableBytes();
        if (len != scan.bodyLength || scan.modelStart < 0) {
            throw new IllegalArgumentException("the scan was not made from this body");
        }
        // The usual id is plain ASCII that JSON needs no escape for: written straight from the String.
        byte[] model = isPlain(modelId) ? null : quote(modelId);
        int modelLength = model == null ? modelId.length() + 2 : model.length;
        // The usage splice replaces [usageFrom, usageTo) (empty for an insertion) with usage.
        byte[] usage = null;
        int usageFrom = -1;
        int usageTo = -1;
        if (forceIncludeUsage && scan.stream() && !scan.clientIncludeUsage()) {
            if (scan.streamOptionsStart < 0) { // no key: add one before the root's '}'
                usage = scan.rootEmpty ? ONLY_OPTIONS : APPEND_OPTIONS;
                usageFrom = usageTo = scan.rootEnd;
            } else if (scan.streamOptionsNull) { // "stream_options": null
                usage = OPTIONS_OBJECT;
                usageFrom = scan.streamOptionsStart;
                usageTo = usageFrom + 4;
            } else if (scan.includeUsageStart < 0) { // object without include_usage: right after '{'
                usage = scan.streamOptionsEmpty ? ONLY_FIELD : FIRST_FIELD;
                usageFrom = usageTo = scan.streamOptionsStart + 1;
            } else { // include_usage: false or null
                usage = TRUE;
                usageFrom = scan.includeUsageStart;
                usageTo = scan.includeUsageEnd;
            }
        }
        int size = len
                - (scan.modelEnd - scan.modelStart)
                + modelLength
                + (usage == null ? 0 : usage.length - (usageTo - usageFrom));
        ByteBuf out = alloc.buffer(size);
        try {
            int base = body.readerIndex();
            int at = 0; // next unchanged body byte to copy
            if (usage == null || scan.modelStart < usageFrom) {
                at = spliceModel(out, body, base, at, scan, model, modelId);
                if (usage != null) {
                    at = splice(out, body, base, at, usageFrom, usageTo, usage);
                }
            } else {
                at = splice(out, body, base, at, usageFrom, usageTo, usage);
                at = spliceModel(out, body, base, at, scan, model, modelId);
            }
            out.writeBytes(body, base + at, len - at);
            return out;
        } catch (Throwable t) {
            out.release();
            throw t;
        }
    }

    /** Copies body[at, from), writes the replacement for body[from, to), returns where to go on. */
    private static int splice(ByteBuf out, ByteBuf body, int base, int at, int from, int to, byte[] replacement) {
        out.writeBytes(body, base + at, from - at);
        out.writeBytes(replacement);
        return to;
    }

    /** Like splice for the model value: the quoted bytes, or the plain id written between quotes. */
    private static int spliceModel(
            ByteBuf out, ByteBuf body, int base, int at, RequestScan scan, byte[] quoted, String plainId) {
        if (quoted != null) {
            return splice(out, body, base, at, scan.modelStart, scan.modelEnd, quoted);
        }
        out.writeBytes(body, base + at, scan.modelStart - at);
        out.writeByte('"');
        out.writeCharSequence(plainId, StandardCharsets.US_ASCII);
        out.writeByte('"');
        return scan.modelEnd;
    }

    /** Printable ASCII without '"' and '\\': JSON-encodes to itself. */
    private static boolean isPlain(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static byte[] quote(String modelId) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(modelId);
        byte[] quoted = new byte[escaped.length + 2];
        quoted[0] = '"';
        System.arraycopy(escaped, 0, quoted, 1, escaped.length);
        quoted[quoted.length - 1] = '"';
        return quoted;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
