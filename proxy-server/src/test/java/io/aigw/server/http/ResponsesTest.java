package io.aigw.server.http;

import static io.aigw.server.http.HttpTesting.readResponse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.error.ApiError;
import io.aigw.server.http.HttpTesting.Resp;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponsesTest {
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    private static Resp detach(FullHttpResponse r) {
        EmbeddedChannel ch = new EmbeddedChannel();
        try {
            ch.writeOutbound(r);
            return readResponse(ch);
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void errorHasExactlyOpenAiShapeWithNullParam() {
        Resp r = detach(Responses.error(
                ALLOC,
                new ApiError(404, "invalid_request_error", "unknown_url", null, "Unknown request URL: GET /x.")));
        assertEquals(404, r.status());
        assertEquals(
                "{\"error\":{\"message\":\"Unknown request URL: GET /x.\",\"type\":\"invalid_request_error\","
                        + "\"param\":null,\"code\":\"unknown_url\"}}",
                r.body());
        assertEquals("application/json", r.header(HttpHeaderNames.CONTENT_TYPE));
        assertEquals(String.valueOf(r.body().length()), r.header(HttpHeaderNames.CONTENT_LENGTH));
        assertNull(r.header(HttpHeaderNames.CONNECTION));
    }

    @Test
    void errorEscapesMessageAndKeepsParamAndUtf8Length() {
        Resp r = detach(Responses.error(ALLOC, ApiError.badRequest("invalid_value", "model", "Bad \"módel\"\n")));
        assertEquals(400, r.status());
        assertEquals(
                "{\"error\":{\"message\":\"Bad \\\"módel\\\"\\n\",\"type\":\"invalid_request_error\","
                        + "\"param\":\"model\",\"code\":\"invalid_value\"}}",
                r.body());
        assertEquals(
                String.valueOf(r.body().getBytes(StandardCharsets.UTF_8).length),
                r.header(HttpHeaderNames.CONTENT_LENGTH));
    }

    @Test
    void sendErrorAndCloseSetsConnectionCloseAndRequestIdThenCloses() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                Responses.sendErrorAndClose(ctx, ApiError.requestTimeout(), "rid-1");
            }
        });
        try {
            ch.writeInbound("go");
            Resp r = readResponse(ch);
            assertEquals(408, r.status());
            assertEquals("close", r.header(HttpHeaderNames.CONNECTION));
            assertEquals("rid-1", r.header(RequestIds.HEADER));
            assertFalse(ch.isOpen());
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void sendErrorKeepsTheConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                Responses.sendError(ctx, ApiError.unauthorized());
            }
        });
        try {
            ch.writeInbound("go");
            Resp r = readResponse(ch);
            assertEquals(401, r.status());
            assertNull(r.header(HttpHeaderNames.CONNECTION));
            assertTrue(ch.isOpen());
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
