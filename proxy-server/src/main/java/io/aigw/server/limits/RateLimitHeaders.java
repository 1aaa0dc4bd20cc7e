package io.aigw.server.limits;

import io.aigw.core.limits.Decision;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.time.Duration;

/**
 * The {@code x-ratelimit-*} headers OpenAI sends and its SDKs read, from one decision: for requests and for
 * tokens, the tightest limit that applied (least remaining); a dimension nothing limits is left out (the
 * provider's own figures, passed on, then stand). Resets are in OpenAI's (Go's) duration format:
 * {@code 120ms}, {@code 1.5s}, {@code 6m0s}.
 */
final class RateLimitHeaders {
    static final AsciiString LIMIT_REQUESTS = AsciiString.cached("x-ratelimit-limit-requests");
    static final AsciiString REMAINING_REQUESTS = AsciiString.cached("x-ratelimit-remaining-requests");
    static final AsciiString RESET_REQUESTS = AsciiString.cached("x-ratelimit-reset-requests");
    static final AsciiString LIMIT_TOKENS = AsciiString.cached("x-ratelimit-limit-tokens");
    static final AsciiString REMAINING_TOKENS = AsciiString.cached("x-ratelimit-remaining-tokens");
    static final AsciiString RESET_TOKENS = AsciiString.cached("x-ratelimit-reset-tokens");
    static final AsciiString RETRY_AFTER = AsciiString.cached("retry-after");
    static final AsciiString RETRY_AFTER_MS = AsciiString.cached("retry-after-ms");

    private RateLimitHeaders() {}

    static void add(HttpHeaders h, RateLimitPlan plan, Decision decision) {
        Decision.Result requests = tightest(plan, decision, LimitKind.RPM);
        if (requests != null) {
            h.set(LIMIT_REQUESTS, Long.toString(requests.limit()));
            h.set(REMAINING_REQUESTS, Long.toString(requests.remaining()));
            h.set(RESET_REQUESTS, duration(requests.reset()));
        }
        Decision.Result tokens = tightest(plan, decision, LimitKind.TPM);
        if (tokens != null) {
            h.set(LIMIT_TOKENS, Long.toString(tokens.limit()));
            h.set(REMAINING_TOKENS, Long.toString(tokens.remaining()));
            h.set(RESET_TOKENS, duration(tokens.reset()));
        }
    }

    /** On a refusal: when to come back, in whole seconds (at least 1) and in milliseconds. */
    static void addRetryAfter(HttpHeaders h, Duration wait) {
        long ms = Math.max(1, wait.toMillis());
        h.set(RETRY_AFTER, Long.toString((ms + 999) / 1000));
        h.set(RETRY_AFTER_MS, Long.toString(ms));
    }

    private static Decision.Result tightest(RateLimitPlan plan, Decision decision, LimitKind kind) {
        Decision.Result best = null;
        for (int i = 0; i < plan.size(); i++) {
            if (plan.kinds()[i] == kind) {
                Decision.Result r = decision.results().get(i);
                if (best == null || r.remaining() < best.remaining()) {
                    best = r;
                }
            }
        }
        return best;
    }

    /** Go's {@code time.Duration} text, as OpenAI writes its resets, to the millisecond. */
    static String duration(Duration d) {
        long ms = Math.max(0, d.toMillis());
        if (ms == 0) {
            return "0s";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        long hours = ms / 3_600_000;
        long minutes = ms / 60_000 % 60;
        long secondsMs = ms % 60_000;
        StringBuilder b = new StringBuilder(12);
        if (hours > 0) {
            b.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            b.append(minutes).append('m');
        }
        b.append(secondsMs / 1000);
        long frac = secondsMs % 1000;
        if (frac != 0) {
            String f = Long.toString(1000 + frac).substring(1); // three digits, leading zeros kept
            int end = f.length();
            while (f.charAt(end - 1) == '0') {
                end--;
            }
            b.append('.').append(f, 0, end);
        }
        return b.append('s').toString();
    }
}
