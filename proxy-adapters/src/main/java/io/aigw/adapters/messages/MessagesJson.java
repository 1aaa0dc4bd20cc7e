package io.aigw.adapters.messages;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.aigw.adapters.JsonSupport;
import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * Shared pieces of the Messages client API (an Anthropic client in front of any provider): the
 * Jackson factory, the OpenAI ⇄ Anthropic stop-reason maps and tool-id sanitising.
 */
final class MessagesJson {

    /** Client bodies and upstream answers: error messages never quote the source document. */
    static final JsonFactory FACTORY = JsonSupport.UPSTREAM;

    private MessagesJson() {}

    /** A parser over the readable bytes, in place for heap buffers; indices and refCnt untouched. */
    static JsonParser parser(ByteBuf body) throws IOException {
        return JsonSupport.parser(FACTORY, body);
    }

    /** OpenAI finish_reason → Anthropic stop_reason (null and unknown → end_turn). */
    static String stopReason(String finishReason) {
        if (finishReason == null) {
            return "end_turn";
        }
        switch (finishReason) {
            case "length":
                return "max_tokens";
            case "tool_calls":
            case "function_call":
                return "tool_use";
            case "content_filter":
                return "refusal";
            default: // stop, unknown
                return "end_turn";
        }
    }

    /** Anthropic stop_reason → OpenAI finish_reason, for the log (unknown and null → stop). */
    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return null;
        }
        switch (stopReason) {
            case "max_tokens":
            case "model_context_window_exceeded":
                return "length";
            case "tool_use":
                return "tool_calls";
            case "refusal":
                return "content_filter";
            default: // end_turn, stop_sequence, pause_turn, unknown
                return "stop";
        }
    }

    /**
     * A tool id Anthropic accepts ({@code ^[a-zA-Z0-9_-]+$}): other providers' ids such as
     * {@code functions.Bash:0} have every other character replaced by {@code _}; no id at all
     * becomes {@code toolu_<n>}. The same input always gives the same id, so a round trip matches.
     */
    static String toolId(String id, int ordinal) {
        if (id == null || id.isEmpty()) {
            return "toolu_" + ordinal;
        }
        StringBuilder b = null;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!ok) {
                if (b == null) {
                    b = new StringBuilder(id.length()).append(id, 0, i);
                }
                b.append('_');
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? id : b.toString();
    }
}
