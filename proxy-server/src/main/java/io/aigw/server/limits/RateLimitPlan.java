package io.aigw.server.limits;

import io.aigw.core.limits.LimitCheck;
import java.util.List;

/**
 * The checks one request is admitted against, each with who it limits and in what, decided in one
 * {@link io.aigw.core.limits.LimitStore#acquire}. {@code tokens} is the request's token estimate (prompt
 * estimate plus the output it may produce); a token check is charged at most its limit, so a large
 * request is not refused forever (its excess is charged by the correction).
 */
public record RateLimitPlan(List<LimitCheck> checks, LimitScope[] scopes, LimitKind[] kinds, long tokens) {

    int size() {
        return checks.size();
    }
}
