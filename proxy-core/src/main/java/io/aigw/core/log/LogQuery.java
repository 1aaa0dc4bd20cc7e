package io.aigw.core.log;

import java.time.Instant;

/**
 * A read-back filter for {@code GET /admin/logs}: every non-null field must match; newest first.
 *
 * @param since only rows with {@code ts >= since}
 * @param limit 1..1000
 */
public record LogQuery(Instant since, String model, Integer status, String keyHash, int limit) {
    public static final int MAX_LIMIT = 1000;

    public LogQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ": " + limit);
        }
    }
}
