package io.aigw.core.log;

import java.util.ArrayList;
import java.util.List;

/**
 * What the event loop gathers about one exchange for the request log: raw facts and bounded byte
 * copies, nothing parsed, nothing redacted (that is the writer thread's work, see {@link LogRow}).
 * Filled on the connection's event loop, then handed to the writer once; after the hand-over the
 * event loop never touches it again, so the fields need no synchronisation (the queue publishes).
 *
 * <p>Durations are nanoseconds, -1 when unknown; token counts are -1 when unknown.
 */
public final class ExchangeRecord {
    public long tsEpochMillis;
    public String requestId;
    public String apiKeyHash;
    public String method;
    public String endpoint;
    /**
     * The API the client spoke ({@code ClientApi.wireName()}: {@code openai}, {@code anthropic},
     * {@code responses}); it decides how a streamed answer is assembled for the log. Null when unknown.
     */
    public String clientApi;

    public String model;
    public String provider;
    public String modelResolved;
    public int statusCode;
    public boolean stream;
    public int attempts;
    /** {@code code: message} of an error answer (ours or the provider's), or null. */
    public String error;
    /** Allow-listed request headers as name, value pairs (lower-case names). */
    public final List<String> requestHeaders = new ArrayList<>(8);

    public byte[] requestBody;
    public boolean requestTruncated;
    /** The answer's body: JSON, or for a stream the SSE bytes sent to the client. */
    public byte[] responseBody;
    /**
     * While the answer is being captured, the bytes of {@link #responseBody} in use (the array grows
     * ahead of them); once handed to the writer, the array holds exactly the body.
     */
    public int responseLength;

    public boolean responseTruncated;
    /**
     * The most bytes of a successful answer {@link #responseBody} will hold: 0 when bodies are not
     * kept. An answer that fits is left whole to the writer, which reads its usage from the copy in
     * the pass that redacts it, so the event loop need not parse it.
     */
    public int responseCapture;

    public long totalNanos = -1;
    public long providerNanos = -1;
    public long ttftNanos = -1;
    public long promptTokens = -1;
    public long completionTokens = -1;
    public long totalTokens = -1;
    /** Prompt tokens served from the provider's cache (a part of {@link #promptTokens}), -1 when unknown. */
    public long cachedTokens = -1;
    /** The exchange's cost in USD ({@code Exchange.costUsd()}), NaN when unknown. */
    public double costUsd = Double.NaN;

    public String traceId;
    public String clientIp;

    /**
     * With {@code durability: wal}, run once the record is on disk, or once it is known that it
     * cannot be (so an answer is never held hostage): on the WAL's thread, or on the caller's when
     * the record is refused at once. Null when nothing waits for it.
     */
    public Runnable onDurable;
    /**
     * The settings the record was captured under (those of the runtime its exchange started with):
     * the writer renders and redacts it with their renderer. Null: the log's own, from its start.
     */
    public CaptureSettings capture;
    /** When the writer took it ({@link System#nanoTime}): its age bounds how long it stays in memory. */
    long queuedNanos;
}
