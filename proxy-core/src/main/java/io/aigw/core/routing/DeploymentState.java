package io.aigw.core.routing;

import java.util.Objects;

/**
 * Runtime handle of one deployment of a public model: where it goes, its place in the route and its mutable
 * health (breaker, latency). Shared by every event loop; equality is by identity of the breaker and tracker.
 *
 * @param name     deployment name (for logs, metrics and admin overrides)
 * @param provider provider name
 * @param modelId  the model id sent to the provider
 * @param priority lower is tried first
 * @param weight   relative share inside its priority group; 0 = standby (only after the weighted ones)
 */
public record DeploymentState(
        String name,
        String provider,
        String modelId,
        int priority,
        int weight,
        CircuitBreaker breaker,
        LatencyTracker latency) {

    public DeploymentState {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(latency, "latency");
        if (weight < 0) {
            throw new IllegalArgumentException("weight must be >= 0: " + weight);
        }
    }

    public static DeploymentState of(
            String name, String provider, String modelId, int priority, int weight, BreakerPolicy breakerPolicy) {
        return new DeploymentState(
                name,
                provider,
                modelId,
                priority,
                weight,
                CircuitBreaker.of(breakerPolicy),
                LatencyTracker.withDefaults());
    }

    /** Default breaker policy and latency tracker. */
    public static DeploymentState of(String name, String provider, String modelId, int priority, int weight) {
        return of(name, provider, modelId, priority, weight, BreakerPolicy.defaults());
    }

    /**
     * This deployment as a reloaded config defines it, keeping its runtime state: itself when
     * nothing changed; else a new handle on the same latency tracker (EWMA, in-flight count) and
     * the same breaker, or a copy of it under the new policy.
     */
    public DeploymentState reconfigured(String modelId, int priority, int weight, BreakerPolicy policy) {
        boolean samePolicy = breaker.policy().equals(policy);
        if (samePolicy && this.modelId.equals(modelId) && this.priority == priority && this.weight == weight) {
            return this;
        }
        return new DeploymentState(
                name, provider, modelId, priority, weight, samePolicy ? breaker : breaker.withPolicy(policy), latency);
    }

    /** Whether the breaker would admit a call now. */
    public boolean isAvailable(long now) {
        return breaker.isAvailable(now);
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "DeploymentState[" + name + " " + provider + "/" + modelId + " p" + priority + " w" + weight + "]";
    }
}
