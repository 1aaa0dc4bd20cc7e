package io.aigw.server.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.aigw.core.routing.CircuitBreaker;
import io.aigw.core.routing.DeploymentState;
import io.aigw.core.routing.KeyPool;
import io.aigw.core.routing.LatencyTracker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Renders the admin view of providers at one instant: each provider's keys (by index and hash, never
 * the key) and the deployments routed to it with their breaker and latency. Not on the request path:
 * rendered per admin call from the live state.
 *
 * <pre>
 * {"name","type","key_strategy",
 *  "keys":[{"index","hash","state":active|cooling|removed,"cooldown_remaining_ms","in_flight","removed_reason"}],
 *  "deployments":[{"model","deployment","model_id","priority","weight",
 *                  "breaker":closed|open|half_open|cooling|disabled,"consecutive_failures",
 *                  "cooldown_remaining_ms","ewma_ttfb_ms","in_flight"}]}
 * </pre>
 * {@code cooldown_remaining_ms} is null for a disabled breaker (out until an operator says otherwise);
 * {@code ewma_ttfb_ms} is null until the deployment's first measured answer; {@code model_id} is null
 * for a wildcard route (the client's model name supplies it).
 */
public final class ProvidersJson {
    private static final JsonFactory JSON = new JsonFactory();
    private static final long NANOS_PER_MS = 1_000_000L;

    private ProvidersJson() {}

    /** {@code {"providers":[...]}}, every provider in configuration order. */
    public static byte[] all(AdminProviders providers, long now) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("providers");
            for (AdminProviders.Provider p : providers.all()) {
                writeProvider(g, p, now);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** One provider's object, as in {@link #all}. */
    public static byte[] one(AdminProviders.Provider provider, long now) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writeProvider(g, provider, now);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeProvider(JsonGenerator g, AdminProviders.Provider p, long now) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", p.name());
        g.writeStringField("type", p.type());
        g.writeStringField("key_strategy", p.keyStrategy().name().toLowerCase(Locale.ROOT));
        g.writeArrayFieldStart("keys");
        for (KeyPool.Key k : p.keys().keys()) {
            writeKey(g, k, now);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("deployments");
        for (AdminProviders.Routed d : p.deployments()) {
            writeDeployment(g, d, now);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeKey(JsonGenerator g, KeyPool.Key k, long now) throws IOException {
        g.writeStartObject();
        g.writeNumberField("index", k.index());
        g.writeStringField("hash", k.hash().toString());
        g.writeStringField("state", k.isRemoved() ? "removed" : k.isCooling(now) ? "cooling" : "active");
        g.writeNumberField("cooldown_remaining_ms", k.isRemoved() ? 0 : ceilMillis(k.coolingRemaining(now)));
        g.writeNumberField("in_flight", k.inFlight());
        g.writeStringField("removed_reason", k.removedReason());
        g.writeEndObject();
    }

    private static void writeDeployment(JsonGenerator g, AdminProviders.Routed d, long now) throws IOException {
        DeploymentState s = d.state();
        CircuitBreaker.State state = s.breaker().state(now);
        LatencyTracker latency = s.latency();
        g.writeStartObject();
        g.writeStringField("model", d.model());
        g.writeStringField("deployment", s.name());
        g.writeStringField("model_id", s.modelId().isEmpty() ? null : s.modelId());
        g.writeNumberField("priority", s.priority());
        g.writeNumberField("weight", s.weight());
        g.writeStringField("breaker", state.name().toLowerCase(Locale.ROOT));
        g.writeNumberField("consecutive_failures", s.breaker().consecutiveFailures());
        g.writeFieldName("cooldown_remaining_ms");
        if (state == CircuitBreaker.State.DISABLED) {
            g.writeNull();
        } else {
            g.writeNumber(ceilMillis(s.breaker().remainingNanos(now)));
        }
        g.writeFieldName("ewma_ttfb_ms");
        if (latency.sampled()) {
            g.writeNumber(Math.round(latency.ewmaNanos() / 1_000.0) / 1_000.0); // ms to the microsecond
        } else {
            g.writeNull();
        }
        g.writeNumberField("in_flight", latency.inFlight());
        g.writeEndObject();
    }

    /** Rounded up, so a cooldown with any time left never shows as 0. */
    private static long ceilMillis(long nanos) {
        return nanos <= 0 ? 0 : (nanos - 1) / NANOS_PER_MS + 1;
    }
}
