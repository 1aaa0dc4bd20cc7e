package io.aigw.core.log;

import java.time.Instant;

/**
 * A read-back filter for {@code GET /admin/logs}: every non-null field must match; newest first.
 *
 * @param since only rows with {@code ts >= since}
 * @param limit 1..1000
 * @param clientApi only rows of this client API ({@code openai}, {@code anthropic}, {@code responses})
 * @param until only rows with {@code ts < until}: exclusive, so consecutive windows never share a row
 * @param endpointPrefix only rows whose endpoint starts with it ({@code /v1/}: the model API, not the admin API)
 */
public record LogQuery(
        Instant since,
        String model,
        Integer status,
        String keyHash,
        int limit,
        String clientApi,
        Instant until,
        String endpointPrefix) {
    public static final int MAX_LIMIT = 1000;

    /** Rows up to now, of every endpoint. */
    public LogQuery(Instant since, String model, Integer status, String keyHash, int limit, String clientApi) {
        this(since, model, status, keyHash, limit, clientApi, null, null);
    }

    /** Rows of any client API. */
    public LogQuery(Instant since, String model, Integer status, String keyHash, int limit) {
        this(since, model, status, keyHash, limit, null, null, null);
    }

    public LogQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ": " + limit);
        }
    }
}
