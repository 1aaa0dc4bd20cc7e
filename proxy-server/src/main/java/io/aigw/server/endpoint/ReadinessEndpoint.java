package io.aigw.server.endpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aigw.server.health.Lifecycle;
import io.aigw.server.health.ReadinessCheck;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /readyz} (and {@code /health/readiness}): whether to send this instance traffic, with
 * each dependency's state: {@code {"status":"ready","checks":{"request_log":{"status":"up",
 * "store":"postgres"}}}}. 503 {@code not_ready} while starting or draining, or when a critical
 * check is down; 200 {@code degraded} when only a non-critical one is (the request log's store:
 * rows are spilled meanwhile, and taking every instance out of a balancer because a shared
 * database is down would stop the serving that does not need it). Needs no key.
 */
public final class ReadinessEndpoint implements Endpoint {
    public static final String PATH = "/readyz";
    public static final String ALIAS = "/health/readiness";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Lifecycle lifecycle;
    private final List<ReadinessCheck> checks;

    public ReadinessEndpoint(Lifecycle lifecycle, List<ReadinessCheck> checks) {
        this.lifecycle = lifecycle;
        this.checks = List.copyOf(checks);
    }

    /** The answer: its status code and body. */
    public record Report(int statusCode, ObjectNode body) {}

    public Report report() {
        Lifecycle.Phase phase = lifecycle.phase();
        ObjectNode body = JSON.createObjectNode();
        ObjectNode results = JSON.createObjectNode();
        boolean criticalDown = false;
        boolean anyDown = false;
        for (ReadinessCheck check : checks) {
            ReadinessCheck.Result r = check.check();
            ObjectNode node = results.putObject(check.name());
            node.put("status", r.status().name().toLowerCase(Locale.ROOT));
            for (Map.Entry<String, String> e : r.details().entrySet()) {
                node.put(e.getKey(), e.getValue());
            }
            if (r.status() == ReadinessCheck.Status.DOWN) {
                anyDown = true;
                criticalDown |= check.critical();
            }
        }
        int code;
        if (phase != Lifecycle.Phase.READY || criticalDown) {
            body.put("status", "not_ready");
            code = 503;
        } else {
            body.put("status", anyDown ? "degraded" : "ready");
            code = 200;
        }
        if (phase != Lifecycle.Phase.READY) {
            body.put("phase", phase.name().toLowerCase(Locale.ROOT));
        }
        body.set("checks", results);
        return new Report(code, body);
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        request.release();
        Report report = report();
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(report.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of strings always serialises
        }
        FullHttpResponse response = Responses.json(ctx.alloc(), report.statusCode(), bytes);
        if (lifecycle.phase() == Lifecycle.Phase.DRAINING) {
            // A prober's kept-alive connection should not hold on to an instance that is going away.
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.writeAndFlush(response);
    }
}
