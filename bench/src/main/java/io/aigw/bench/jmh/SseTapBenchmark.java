package io.aigw.bench.jmh;

import io.aigw.adapters.openai.OpenAiStreamTap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Per-event cost of {@link OpenAiStreamTap#onChunk} on OpenAI chat-completion chunks (~260 bytes
 * each), as StreamRelay drives it: upstream reads are pooled direct buffers, the tap splits events,
 * parses each event's JSON for usage/finish_reason, and hands back retained slices, which are
 * released here (the relay would write them). Every score, time and {@code gc.alloc.rate.norm}
 * alike, is per SSE event ({@link OperationsPerInvocation}).
 *
 * <p>One tap lives for the whole trial, like one very long stream, so per-stream setup is not counted.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "-Xms1g",
            "-Xmx1g",
            "-Dio.netty.leakDetection.level=disabled",
            "-Djmh.executor=CUSTOM",
            "-Djmh.executor.class=io.aigw.bench.jmh.FastThreadLocalExecutor"
        })
public class SseTapBenchmark {

    /** A content delta chunk as OpenAI sends it (no usage: include_usage adds "usage":null). */
    static final String CONTENT_EVENT = "data: {\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\","
            + "\"object\":\"chat.completion.chunk\",\"created\":1741570283,\"model\":\"gpt-4o-mini-2024-07-18\","
            + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\" capital\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n";

    /** The chunk include_usage adds at the end: empty choices, usage set; dropped for clients that did not ask. */
    static final String USAGE_EVENT = "data: {\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\","
            + "\"object\":\"chat.completion.chunk\",\"created\":1741570283,\"model\":\"gpt-4o-mini-2024-07-18\","
            + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":10,\"total_tokens\":29,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
            + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n";

    /** Where the split-across-reads case cuts the event: inside the choices array. */
    static final int SPLIT_AT = 180;

    private OpenAiStreamTap tap;
    private final List<ByteBuf> out = new ArrayList<>(8);
    private ByteBuf one;
    private ByteBuf five;
    private ByteBuf firstHalf;
    private ByteBuf secondHalf;
    private ByteBuf usageOnly;

    @Setup(Level.Trial)
    public void setUp() {
        tap = new OpenAiStreamTap(true);
        one = direct(CONTENT_EVENT);
        five = direct(CONTENT_EVENT.repeat(5));
        firstHalf = direct(CONTENT_EVENT.substring(0, SPLIT_AT));
        secondHalf = direct(CONTENT_EVENT.substring(SPLIT_AT));
        usageOnly = direct(USAGE_EVENT);
        // Sanity checks, once.
        tap.onChunk(usageOnly, out);
        if (!out.isEmpty() || tap.usage().promptTokens() != 19) {
            throw new IllegalStateException("usage-only chunk was not dropped: " + out + " " + tap.usage());
        }
        tap.onChunk(five, out);
        if (out.size() != 1 || out.get(0).readableBytes() != five.readableBytes()) {
            throw new IllegalStateException("five events should go out as one slice: " + out);
        }
        releaseOut();
        tap.onChunk(firstHalf, out);
        tap.onChunk(secondHalf, out);
        if (out.size() != 2 || tap.heldBytes() != 0) {
            throw new IllegalStateException("split event: " + out);
        }
        releaseOut();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tap.close();
        for (ByteBuf b : List.of(one, five, firstHalf, secondHalf, usageOnly)) {
            b.release();
        }
    }

    /** One content event per upstream read (typical for token-by-token streaming). */
    @Benchmark
    public void oneEventPerRead(Blackhole bh) {
        tap.onChunk(one, out);
        consumeAndRelease(bh);
    }

    /** Five content events in one read (a fast provider, or a slow client letting reads coalesce). */
    @Benchmark
    @OperationsPerInvocation(5)
    public void fiveEventsPerRead(Blackhole bh) {
        tap.onChunk(five, out);
        consumeAndRelease(bh);
    }

    /** One event cut across two reads: the head is held, then copied to scratch to be parsed. */
    @Benchmark
    public void eventSplitAcrossTwoReads(Blackhole bh) {
        tap.onChunk(firstHalf, out);
        tap.onChunk(secondHalf, out);
        consumeAndRelease(bh);
    }

    /** The include_usage chunk the proxy forced: usage read, event dropped, nothing emitted. */
    @Benchmark
    public void usageChunkDropped(Blackhole bh) {
        tap.onChunk(usageOnly, out);
        bh.consume(tap.usage());
        consumeAndRelease(bh);
    }

    private void consumeAndRelease(Blackhole bh) {
        bh.consume(out.size());
        bh.consume(tap.finishReason());
        releaseOut();
    }

    private void releaseOut() {
        for (int i = 0, n = out.size(); i < n; i++) {
            out.get(i).release();
        }
        out.clear();
    }

    private static ByteBuf direct(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return PooledByteBufAllocator.DEFAULT.directBuffer(b.length).writeBytes(b);
    }
}
