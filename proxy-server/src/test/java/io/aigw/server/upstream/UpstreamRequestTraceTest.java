package io.aigw.server.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.server.dialect.Dialects;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The trace context headers an attempt sends upstream, tracing on or off. */
class UpstreamRequestTraceTest {
    private static UpstreamRequest requests() throws Exception {
        ProviderConfig p = new ConfigLoader(Dialects.TYPES, Map.of())
                .parse("providers: {p: {type: openai, base_url: \"http://127.0.0.1:1/v1\"}}\n", "t.yaml")
                .providers()
                .get("p");
        return new UpstreamRequest(p, Dialects.of(p));
    }

    @Test
    void traceparentAndTracestateGoUpstreamWhenGiven() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01";
        FullHttpRequest r = requests()
                .build(
                        ApiEndpoint.CHAT_COMPLETIONS,
                        "m",
                        Unpooled.EMPTY_BUFFER,
                        false,
                        "req-1",
                        null,
                        traceparent,
                        "vendor=abc");
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
        FullHttpRequest r =
                requests().build(ApiEndpoint.CHAT_COMPLETIONS, "m", Unpooled.EMPTY_BUFFER, false, "req-1", null);
        try {
            assertFalse(r.headers().contains("traceparent"));
            assertFalse(r.headers().contains("tracestate"));
        } finally {
            r.release();
        }
    }
}
