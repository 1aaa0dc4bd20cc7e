package io.aigw.server.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aigw.server.health.Lifecycle;
import io.aigw.server.health.ReadinessCheck;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The readiness state machine: starting, ready, draining; a check down, critical or not. */
class ReadinessEndpointTest {

    private static ReadinessCheck check(String name, boolean critical, ReadinessCheck.Status[] status) {
        return new ReadinessCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean critical() {
                return critical;
            }

            @Override
            public Result check() {
                return new Result(status[0], Map.of("store", "postgres"));
            }
        };
    }

    @Test
    void followsTheServersPhaseAndItsChecks() {
        Lifecycle lifecycle = new Lifecycle();
        ReadinessCheck.Status[] log = {ReadinessCheck.Status.UP};
        ReadinessCheck.Status[] redis = {ReadinessCheck.Status.UP};
        ReadinessEndpoint endpoint = new ReadinessEndpoint(
                lifecycle, List.of(check("request_log", false, log), check("redis", true, redis)));

        ReadinessEndpoint.Report r = endpoint.report();
        assertEquals(503, r.statusCode());
        assertEquals(
                "{\"status\":\"not_ready\",\"phase\":\"starting\",\"checks\":{\"request_log\":{\"status\":\"up\","
                        + "\"store\":\"postgres\"},\"redis\":{\"status\":\"up\",\"store\":\"postgres\"}}}",
                r.body().toString());

        lifecycle.ready();
        r = endpoint.report();
        assertEquals(200, r.statusCode());
        assertEquals("ready", r.body().path("status").asText());

        log[0] = ReadinessCheck.Status.DOWN; // not critical: rows spill, serving goes on
        r = endpoint.report();
        assertEquals(200, r.statusCode());
        assertEquals("degraded", r.body().path("status").asText());
        assertEquals(
                "down",
                r.body().path("checks").path("request_log").path("status").asText());

        redis[0] = ReadinessCheck.Status.DOWN; // critical
        r = endpoint.report();
        assertEquals(503, r.statusCode());
        assertEquals("not_ready", r.body().path("status").asText());

        log[0] = ReadinessCheck.Status.UP;
        redis[0] = ReadinessCheck.Status.UP;
        lifecycle.draining();
        lifecycle.ready(); // a stop is final
        r = endpoint.report();
        assertEquals(503, r.statusCode());
        assertEquals("draining", r.body().path("phase").asText());
    }
}
