package io.aigw.adapters.openai;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;

/** Words {@code invalid_json} errors: one short line, never the body, with a byte offset. */
final class BadJson {
    private static final String PREFIX = "We could not parse the JSON body of your request: ";

    private BadJson() {}

    static ApiException exception(String reason) {
        return new ApiException(ApiError.invalidJson(PREFIX + reason));
    }

    static ApiException exception(JsonProcessingException e) {
        return exception(describe(e));
    }

    /** Jackson's message without its location block, capped, with the byte offset instead. */
    static String describe(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (m == null || m.isEmpty()) {
            m = "malformed JSON";
        }
        m = cutAt(m, "\n");
        m = cutAt(m, " (start marker at "); // points into a redacted source description
        int cut = m.indexOf(", from `"); // constraint errors name Jackson internals
        if (cut >= 0) {
            m = m.substring(0, cut) + ")";
        }
        if (m.length() > 160) {
            m = m.substring(0, 157) + "...";
        }
        JsonLocation loc = e.getLocation();
        long at = loc == null ? -1 : loc.getByteOffset();
        return at >= 0 ? m + " (at byte " + at + ")" : m;
    }

    private static String cutAt(String m, String marker) {
        int cut = m.indexOf(marker);
        return cut >= 0 ? m.substring(0, cut) : m;
    }
}
