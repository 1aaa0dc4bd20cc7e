package io.aigw.core.log;

import java.time.Instant;

/**
 * A read-back filter for {@code GET /admin/logs}: every non-null field must match; newest first.
 *
 * @param since only rows with {@code ts >= since}
 * @param limit 1..1000
 * @param clientApi only rows of this client API ({@code openai}, {@code anthropic}, {@code responses})
 * @param until only rows with {@code ts < until}: exclusive, so consecutive windows never share a row
 */
public record LogQuery(
        Instant since, String model, Integer status, String keyHash, int limit, String clientApi, Instant until) {
    public static final int MAX_LIMIT = 1000;

    /** Rows up to now. */
    public LogQuery(Instant since, String model, Integer status, String keyHash, int limit, String clientApi) {
        this(since, model, status, keyHash, limit, clientApi, null);
    }

    /** Rows of any client API. */
    public LogQuery(Instant since, String model, Integer status, String keyHash, int limit) {
        this(since, model, status, keyHash, limit, null, null);
    }

    public LogQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ": " + limit);
        }
    }
}
