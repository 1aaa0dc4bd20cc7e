package io.aigw.bench.jmh;

import io.aigw.adapters.anthropic.AnthropicStreamTranslator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
 * Per-event cost of translating Anthropic's stream into OpenAI chunks, as the relay drives it:
 * each upstream read holds {@code content_block_delta} events (pooled direct buffers), the
 * translator parses each event with Jackson's streaming parser over its bytes (no String of the
 * event) and writes one OpenAI chunk into a new pooled buffer, released here as the relay's write
 * would. Scores, time and {@code gc.alloc.rate.norm} alike, are per event.
 *
 * <p>One translator lives for the whole trial (message and content block already started), like
 * one very long answer, so per-stream setup is not counted.
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
public class AnthropicStreamBenchmark {
    static final String START = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":"
            + "\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
            + "\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,"
            + "\"output_tokens\":1}}}\n\nevent: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
    static final String DELTA = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\" capital\"}}\n\n";

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final List<ByteBuf> out = new ArrayList<>(8);
    private AnthropicStreamTranslator translator;
    private ByteBuf one;
    private ByteBuf five;

    @Setup(Level.Trial)
    public void setUp() {
        translator = new AnthropicStreamTranslator("chatcmpl-bench", 1741570283L, false, false);
        ByteBuf start = direct(START);
        translator.onChunk(start, alloc, out);
        start.release();
        if (out.isEmpty()) {
            throw new IllegalStateException("message_start gave no first chunk");
        }
        releaseOut();
        one = direct(DELTA);
        five = direct(DELTA.repeat(5));
        translator.onChunk(five, alloc, out);
        if (out.size() != 5) {
            throw new IllegalStateException("five deltas should give five chunks: " + out.size());
        }
        releaseOut();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        translator.close();
        one.release();
        five.release();
    }

    /** One text delta per upstream read (typical token-by-token streaming). */
    @Benchmark
    public void oneEventPerRead(Blackhole bh) {
        translator.onChunk(one, alloc, out);
        consumeAndRelease(bh);
    }

    /** Five text deltas in one read. */
    @Benchmark
    @OperationsPerInvocation(5)
    public void fiveEventsPerRead(Blackhole bh) {
        translator.onChunk(five, alloc, out);
        consumeAndRelease(bh);
    }

    private void consumeAndRelease(Blackhole bh) {
        for (int i = 0; i < out.size(); i++) {
            bh.consume(out.get(i).readableBytes());
        }
        releaseOut();
    }

    private void releaseOut() {
        for (ByteBuf b : out) {
            b.release();
        }
        out.clear();
    }

    private static ByteBuf direct(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }
}
