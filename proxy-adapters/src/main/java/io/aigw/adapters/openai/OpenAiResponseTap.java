package io.aigw.adapters.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import java.io.IOException;

/** Reads usage and outcome from a whole (non-streamed) OpenAI response body in one streaming pass. */
public final class OpenAiResponseTap {
    private OpenAiResponseTap() {}

    /**
     * Never throws for bad input: a malformed or truncated body yields {@code parsed == false} with
     * whatever was read before the fault. Leaves the buffer's indices and reference count alone.
     */
    public static ResponseSummary read(ByteBuf body) {
        CompletionReader r = new CompletionReader();
        boolean parsed = false;
        try (JsonParser p = OpenAiJson.parser(OpenAiJson.RESPONSES, body)) {
            JsonToken root = r.read(p);
            parsed = root != null && p.nextToken() == null;
        } catch (IOException e) {
            // Upstream sent something that is not JSON (an HTML error page, a cut-off body): the
            // relay forwards it regardless; we only lose the accounting.
        }
        return new ResponseSummary(
                parsed, parsed && r.error, r.usage == null ? Usage.NONE : r.usage, r.firstFinishReason);
    }
}
