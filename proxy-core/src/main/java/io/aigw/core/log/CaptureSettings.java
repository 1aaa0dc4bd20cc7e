package io.aigw.core.log;

import io.aigw.core.config.RequestLogConfig;
import io.aigw.core.config.RequestLogConfig.Bodies;
import java.util.Objects;

/**
 * What the request log keeps of an exchange and how it is redacted, as one immutable value built
 * once per config (at start and on each reload that changes it, never per request): an exchange
 * takes the settings of the runtime it started with, so a reload that changes {@code bodies} or
 * the redaction rules applies to the exchanges that start after it, while those under way (a long
 * stream) are captured and redacted as they began.
 *
 * <p>The redaction rules are compiled here, once; the writer thread renders each record with the
 * {@link #renderer()} of the settings it was captured under ({@link ExchangeRecord#capture}).
 */
public final class CaptureSettings {
    private final Bodies bodies;
    private final int maxBodyBytes;
    private final RowRenderer renderer;

    private CaptureSettings(Bodies bodies, int maxBodyBytes, RowRenderer renderer) {
        this.bodies = bodies;
        this.maxBodyBytes = maxBodyBytes;
        this.renderer = Objects.requireNonNull(renderer, "renderer");
    }

    /**
     * The settings of {@code config}; nothing is gathered when its store is off.
     *
     * @throws IllegalArgumentException when a redaction rule does not compile (naming the rule)
     */
    public static CaptureSettings of(RequestLogConfig config) {
        Redactor redactor = Redactor.of(config.redactRules(), config.customRedactions());
        return new CaptureSettings(
                config.store() == RequestLogConfig.Store.OFF ? null : config.bodies(),
                config.maxBodyBytes(),
                new RowRenderer(redactor));
    }

    /** What is kept of an exchange; null when the log is off (then nothing is gathered at all). */
    public Bodies bodies() {
        return bodies;
    }

    /** Whether request and response bodies are kept ({@code bodies: full}, the log on). */
    public boolean keepsBodies() {
        return bodies == Bodies.FULL;
    }

    /** Each body is cut to this many bytes (and flagged truncated). */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** Renders (and redacts) records captured under these settings; thread-safe. */
    public RowRenderer renderer() {
        return renderer;
    }
}
