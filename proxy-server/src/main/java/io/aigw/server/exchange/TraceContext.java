package io.aigw.server.exchange;

/**
 * The W3C trace context of an exchange: the client's {@code traceparent} when it sent a valid one
 * (our spans are then its children), else a new trace. Always present, so every request-log row has a
 * trace id, tracing on or off.
 *
 * @param traceId 32 lower-case hex digits, never all zeros
 * @param parentSpanId the client's span id (16 hex digits), or null when the trace starts here
 * @param sampled the client's sampled flag; true for a trace that starts here (the sampler decides)
 * @param traceState the client's {@code tracestate}, or null
 */
public record TraceContext(String traceId, String parentSpanId, boolean sampled, String traceState) {}
