package io.aigw.server.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.ProxyConfig;
import io.aigw.server.dialect.Dialects;
import io.aigw.server.http.Exchange;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the reload endpoint answers when the reload did not happen for a reason other than the file. */
class ConfigReloadEndpointTest {
    @TempDir
    Path dir;

    @Test
    void aReloadRefusedBecauseTheServerIsStoppingIsA503NotAnInvalidConfig() throws Exception {
        Path file = dir.resolve("proxy.yaml");
        Files.writeString(file, """
                auth: {api_keys: [sk-client-key-0123456789]}
                providers:
                  a: {type: openai, base_url: "http://127.0.0.1:1/v1", api_key: sk-a}
                models:
                  m: {providers: {a: {model_id: x}}}
                """, StandardCharsets.UTF_8);
        ConfigSource source = new ConfigSource(file, Dialects.TYPES, Map.of());
        ProxyConfig config = source.load();
        ConfigReloader reloader =
                new ConfigReloader(source, (c, previous, version) -> previous, snapshot -> {}, null, false);
        reloader.start(new RuntimeSnapshot(0, config, null, null, null, null));
        reloader.close();

        ConfigReloadEndpoint endpoint = new ConfigReloadEndpoint(reloader);
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                endpoint.handle(ctx, (FullHttpRequest) msg, Exchange.of(ctx.channel()));
            }
        });
        try {
            ch.attr(Exchange.KEY)
                    .set(new Exchange("req-1", System.nanoTime(), HttpMethod.POST, ConfigReloadEndpoint.PATH));
            ch.writeInbound(
                    new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, ConfigReloadEndpoint.PATH));
            ch.runPendingTasks();
            FullHttpResponse r = ch.readOutbound();
            try {
                String body = r.content().toString(StandardCharsets.UTF_8);
                assertEquals(503, r.status().code(), body); // before: 400 config_invalid, as if the file were bad
                assertTrue(body.contains("\"code\":\"shutting_down\""), body);
            } finally {
                r.release();
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
