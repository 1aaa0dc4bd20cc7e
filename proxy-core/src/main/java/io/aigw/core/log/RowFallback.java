package io.aigw.core.log;

import java.time.Instant;
import java.util.UUID;

/** The row of a record that could not be rendered: its facts, no headers or bodies (nothing unredacted). */
final class RowFallback {
    private RowFallback() {}

    static LogRow metadataOnly(ExchangeRecord r) {
        return new LogRow(
                UUID.randomUUID(),
                Instant.ofEpochMilli(r.tsEpochMillis),
                r.requestId,
                r.apiKeyHash,
                r.endpoint,
                r.model,
                r.provider,
                r.modelResolved,
                r.statusCode,
                r.stream,
                r.attempts,
                r.error == null ? null : "(not rendered)",
                "{}",
                null,
                null,
                false,
                false,
                ms(r.totalNanos),
                ms(r.providerNanos),
                ms(r.ttftNanos),
                count(r.promptTokens),
                count(r.completionTokens),
                count(r.totalTokens),
                r.traceId,
                r.clientIp,
                false,
                false,
                count(r.cachedTokens),
                RowRenderer.usd(r.costUsd),
                r.clientApi);
    }

    private static Long ms(long nanos) {
        return nanos < 0 ? null : nanos / 1_000_000;
    }

    private static Integer count(long n) {
        return n < 0 ? null : (int) Math.min(Integer.MAX_VALUE, n);
    }
}
