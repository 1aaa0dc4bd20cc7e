package io.aigw.bench.jmh;

import io.aigw.adapters.openai.OpenAiRequestRewriter;
import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost of the request path's body work: {@link RequestScan#scan} (UTF-8 check plus one Jackson
 * streaming pass) and {@link OpenAiRequestRewriter#rewrite} (splice the deployment's model id, and
 * {@code stream_options.include_usage} when needed, into one pooled buffer), the way
 * {@code ProxyEndpoint} calls them. Input bodies are pooled direct buffers, as Netty reads them.
 *
 * <p>With {@code -prof gc}, {@code gc.alloc.rate.norm} is the heap garbage per request; the pooled
 * output buffer itself is off-heap and recycled, so a String or byte[] copy of the body would show as
 * roughly 2x (String) or 1x (byte[]) the body size here.
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
public class RequestRewriteBenchmark {

    /** The deployment model id spliced in (longer than the client's alias, as is typical). */
    static final String UPSTREAM_MODEL = "gpt-4o-mini-2024-07-18";

    public enum Kind {
        /** ~300-byte chat body, two messages, not streamed: only the model is replaced. */
        SMALL,
        /** ~100 KB prompt in one contiguous direct buffer. */
        LARGE_100K,
        /**
         * The same ~100 KB body as HttpObjectAggregator hands it over: a CompositeByteBuf of
         * 16 KB direct reads.
         */
        LARGE_100K_COMPOSITE,
        /** Small streamed chat body without stream_options: include_usage is injected. */
        STREAM_INJECT
    }

    @Param
    public Kind kind;

    private ByteBuf body;
    private RequestScan scan;
    private boolean forceUsage;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] bytes = switch (kind) {
            case SMALL -> Bodies.smallChat(false);
            case LARGE_100K, LARGE_100K_COMPOSITE -> Bodies.largeChat(100 * 1024);
            case STREAM_INJECT -> Bodies.smallChat(true);
        };
        if (kind == Kind.LARGE_100K_COMPOSITE) {
            CompositeByteBuf c = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer(1024);
            for (int at = 0; at < bytes.length; at += 16 * 1024) {
                int n = Math.min(16 * 1024, bytes.length - at);
                c.addComponent(
                        true, PooledByteBufAllocator.DEFAULT.directBuffer(n).writeBytes(bytes, at, n));
            }
            body = c;
        } else {
            body = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
        }
        scan = RequestScan.scan(body, ApiEndpoint.CHAT_COMPLETIONS);
        forceUsage = scan.stream() && !scan.clientIncludeUsage();
        // Sanity check, once: the rewrite must produce what the proxy sends.
        ByteBuf out =
                OpenAiRequestRewriter.rewrite(PooledByteBufAllocator.DEFAULT, body, scan, UPSTREAM_MODEL, forceUsage);
        try {
            String s = out.toString(StandardCharsets.UTF_8);
            if (!s.contains("\"model\":\"" + UPSTREAM_MODEL + "\"")
                    || (kind == Kind.STREAM_INJECT) != s.contains("\"include_usage\":true")) {
                throw new IllegalStateException("unexpected rewrite: " + s.substring(0, Math.min(400, s.length())));
            }
        } finally {
            out.release();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        body.release();
    }

    /** What ProxyEndpoint does per request: scan, rewrite into a pooled buffer, (write and) release it. */
    @Benchmark
    public void scanAndRewrite(Blackhole bh) {
        RequestScan s = RequestScan.scan(body, ApiEndpoint.CHAT_COMPLETIONS);
        boolean force = s.stream() && !s.clientIncludeUsage();
        ByteBuf out = OpenAiRequestRewriter.rewrite(PooledByteBufAllocator.DEFAULT, body, s, UPSTREAM_MODEL, force);
        bh.consume(s.model());
        bh.consume(out.writerIndex());
        out.release();
    }

    /** Validation and offsets only (UTF-8 check plus the Jackson pass). */
    @Benchmark
    public RequestScan scanOnly() {
        return RequestScan.scan(body, ApiEndpoint.CHAT_COMPLETIONS);
    }

    /** The splice alone, from a scan made in setup. */
    @Benchmark
    public void rewriteOnly(Blackhole bh) {
        ByteBuf out =
                OpenAiRequestRewriter.rewrite(PooledByteBufAllocator.DEFAULT, body, scan, UPSTREAM_MODEL, forceUsage);
        bh.consume(out.writerIndex());
        out.release();
    }

    /** Request bodies shaped like what the OpenAI SDKs send. */
    static final class Bodies {
        private Bodies() {}

        static byte[] smallChat(boolean stream) {
            String s = "{\"model\":\"gpt-4o-mini\",\"messages\":["
                    + "{\"role\":\"system\",\"content\":\"You are a helpful assistant. Answer briefly and cite sources.\"},"
                    + "{\"role\":\"user\",\"content\":\"What is the capital of France, and roughly how many people live there?\"}],"
                    + "\"temperature\":0.7,\"max_tokens\":256,\"top_p\":1,\"user\":\"user-1234\""
                    + (stream ? ",\"stream\":true" : "")
                    + "}";
            return s.getBytes(StandardCharsets.UTF_8);
        }

        /** A chat body whose user message makes it about {@code size} bytes: text with escapes and some non-ASCII. */
        static byte[] largeChat(int size) {
            String head = "{\"model\":\"gpt-4o-mini\",\"messages\":["
                    + "{\"role\":\"system\",\"content\":\"Summarise the document the user pastes.\"},"
                    + "{\"role\":\"user\",\"content\":\"";
            String tail = "\"}],\"temperature\":0.2,\"max_tokens\":1024}";
            String[] words = {
                "the",
                "gateway",
                "forwards",
                "requests",
                "to",
                "a",
                "provider",
                "and",
                "records",
                "usage",
                "per",
                "key;",
                "naïve",
                "café",
                "résumé",
                "\\\"quoted\\\"",
                "tokens",
                "streaming",
                "\\n"
            };
            StringBuilder sb = new StringBuilder(size + 64).append(head);
            int target = size - tail.length();
            long seed = 42;
            while (sb.toString().getBytes(StandardCharsets.UTF_8).length < target - 32) {
                for (int k = 0; k < 256; k++) {
                    seed = seed * 6364136223846793005L + 1442695040888963407L;
                    sb.append(words[(int) ((seed >>> 33) % words.length)]).append(' ');
                }
            }
            sb.append(tail);
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}
