package io.aigw.adapters.responses;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole chat completion to a Response object: a {@code message} item with the text (when there
 * is any), then one {@code function_call} item per tool call (call_id = the chat call's id). Status
 * is {@code completed}, or {@code incomplete} with {@code incomplete_details.reason} when the chat
 * finish reason was length (max_output_tokens) or content_filter.
 */
public final class ResponsesResponseTranslator {
    private ResponsesResponseTranslator() {}

    /**
     * Reads {@code chat} (neither released nor moved) and writes the Response into a new buffer the
     * caller owns. Throws {@link ApiException} (502) when the body is not a chat completion.
     */
    public static ByteBuf translate(ByteBuf chat, Echo echo, String idBase, long createdAt, ByteBufAllocator alloc) {
        ChatAnswer answer = new ChatAnswer();
        boolean ok;
        try (JsonParser p = ResponsesJson.parser(chat)) {
            ok = answer.read(p);
        } catch (IOException e) {
            ok = false;
        }
        if (!ok) {
            throw new ApiException(ApiError.badGateway(
                    "upstream_invalid_response", "The upstream answer could not be read as a chat completion."));
        }
        String incomplete = ChatAnswer.incompleteReason(answer.finishReason);
        String itemStatus = incomplete == null ? "completed" : "incomplete";
        List<OutputItem> output = new ArrayList<>(1 + answer.calls.size());
        if (answer.hasText || answer.calls.isEmpty()) {
            OutputItem m = OutputItem.message(ResponseIds.item(idBase, true, 0), 0);
            m.text.append(answer.text);
            m.status = itemStatus;
            output.add(m);
        }
        for (String[] c : answer.calls) {
            int n = output.size();
            OutputItem f = OutputItem.functionCall(
                    ResponseIds.item(idBase, false, n),
                    n,
                    c[0] != null ? c[0] : ResponseIds.call(idBase, n),
                    c[1] != null ? c[1] : "");
            f.text.append(c[2] != null ? c[2] : "");
            f.status = itemStatus;
            output.add(f);
        }
        ByteBuf out = alloc.buffer(chat.readableBytes() + 512);
        boolean written = false;
        try (JsonGenerator g = ResponsesJson.generator(out)) {
            echo.writeResponse(
                    g,
                    ResponseIds.response(idBase),
                    createdAt,
                    incomplete == null ? "completed" : "incomplete",
                    incomplete,
                    answer.model,
                    output,
                    answer.usage != null ? answer.usage : new Tokens(0, 0, 0, 0, 0));
            written = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory; not expected
        } finally {
            if (!written) {
                out.release();
            }
        }
        return out;
    }
}
