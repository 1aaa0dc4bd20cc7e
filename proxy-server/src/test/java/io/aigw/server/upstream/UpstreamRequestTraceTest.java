package io.aigw.server.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProviderConfig.KeyStrategy;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.routing.KeyPool;
import io.aigw.server.dialect.Dialects;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The trace context headers an attempt sends upstream, tracing on or off, and the bytes of a whole request. */
class UpstreamRequestTraceTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static UpstreamRequest requests(String yaml) throws Exception {
        ProviderConfig p = new ConfigLoader(Dialects.TYPES, Map.of())
                .parse(yaml, "t.yaml")
                .providers()
                .get("p");
        return new UpstreamRequest(p, Dialects.of(p));
    }

    private static UpstreamRequest requests() throws Exception {
        return requests("providers: {p: {type: openai, base_url: \"http://127.0.0.1:1/v1\"}}\n");
    }

    /** The request as a server reads it (the wire bytes through Netty's own request decoder). */
    private static FullHttpRequest decoded(ByteBuf wire) {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpRequestDecoder(), new HttpObjectAggregator(1 << 20));
        ch.writeInbound(wire);
        FullHttpRequest r = ch.readInbound();
        ch.finishAndReleaseAll();
        return r;
    }

    @Test
    void traceparentAndTracestateGoUpstreamWhenGiven() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01";
        FullHttpRequest r = decoded(requests()
                .build(
                        ALLOC,
                        ApiEndpoint.CHAT_COMPLETIONS,
                        "m",
                        Unpooled.EMPTY_BUFFER,
                        false,
                        "req-1",
                        null,
                        traceparent,
                        "vendor=abc"));
        try {
            assertEquals(traceparent, r.headers().get("traceparent"));
            assertEquals("vendor=abc", r.headers().get("tracestate"));
            assertEquals("req-1", r.headers().get("x-request-id"));
        } finally {
            r.release();
        }
    }

    @Test
    void noTraceHeadersWithoutAContext() throws Exception {
        FullHttpRequest r = decoded(requests()
                .build(ALLOC, ApiEndpoint.CHAT_COMPLETIONS, "m", Unpooled.EMPTY_BUFFER, false, "req-1", null));
        try {
            assertFalse(r.headers().contains("traceparent"));
            assertFalse(r.headers().contains("tracestate"));
        } finally {
            r.release();
        }
    }

    /**
     * The exact head, as Netty's encoder wrote it from the header set before requests became bytes:
     * fixed headers (Host, type, encoding, agent, the dialect's, the configured ones), then length,
     * accept, request id, the pool's key (the second one here), and the trace context.
     */
    @Test
    void rawHeadWithAPooledKeyAndTraceContext() throws Exception {
        UpstreamRequest requests =
                requests("providers: {p: {type: anthropic, base_url: \"https://api.example.com:8443\","
                        + " api_keys: [sk-zero, sk-one], headers: {x-team: blue}}}\n");
        KeyPool.Key second = new KeyPool("p", List.of("sk-zero", "sk-one"), KeyStrategy.ROUND_ROBIN)
                .keys()
                .get(1);
        byte[] body = "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8);
        ByteBuf wire = requests.build(
                ALLOC,
                ApiEndpoint.MESSAGES,
                "m",
                Unpooled.wrappedBuffer(body),
                true,
                "req-7",
                second,
                "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01",
                "vendor=abc");
        try {
            assertEquals(
                    "POST /v1/messages HTTP/1.1\r\n"
                            + "host: api.example.com:8443\r\n"
                            + "content-type: application/json\r\n"
                            + "accept-encoding: identity\r\n"
                            + "user-agent: aigw/0.1\r\n"
                            + "anthropic-version: 2023-06-01\r\n"
                            + "x-team: blue\r\n"
                            + "content-length: 13\r\n"
                            + "accept: text/event-stream\r\n"
                            + "x-request-id: req-7\r\n"
                            + "x-api-key: sk-one\r\n"
                            + "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01\r\n"
                            + "tracestate: vendor=abc\r\n"
                            + "\r\n"
                            + "{\"model\":\"m\"}",
                    wire.toString(StandardCharsets.ISO_8859_1));
        } finally {
            wire.release();
        }
    }
}
