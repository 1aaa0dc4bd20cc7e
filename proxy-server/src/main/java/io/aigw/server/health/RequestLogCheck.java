package io.aigw.server.health;

import io.aigw.core.config.RequestLogConfig;
import io.aigw.core.log.RequestLog;
import io.aigw.core.log.RequestLogWriter;
import java.util.Locale;
import java.util.Map;

/**
 * The request log's store: up when the writer's last contact with it succeeded (its probe thread
 * keeps that state). Not critical: while the store is down rows are spilled to disk and replayed,
 * and serving goes on.
 */
public final class RequestLogCheck implements ReadinessCheck {
    private final RequestLog log;
    private final Map<String, String> details;

    public RequestLogCheck(RequestLog log) {
        this.log = log;
        RequestLogConfig.Store store = log.config().store();
        this.details = Map.of("store", store.name().toLowerCase(Locale.ROOT));
    }

    @Override
    public String name() {
        return "request_log";
    }

    @Override
    public Result check() {
        if (!(log instanceof RequestLogWriter writer)) {
            return new Result(Status.OFF, details);
        }
        return new Result(writer.storeUp() ? Status.UP : Status.DOWN, details);
    }
}
