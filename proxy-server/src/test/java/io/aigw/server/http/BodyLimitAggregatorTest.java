package io.aigw.server.http;

import static io.aigw.server.http.HttpTesting.ascii;
import static io.aigw.server.http.HttpTesting.assertAbsent;
import static io.aigw.server.http.HttpTesting.assertGeneratedId;
import static io.aigw.server.http.HttpTesting.assertNoResponse;
import static io.aigw.server.http.HttpTesting.assertNothingPassedOn;
import static io.aigw.server.http.HttpTesting.assertOpenAiError;
import static io.aigw.server.http.HttpTesting.readRequest;
import static io.aigw.server.http.HttpTesting.readResponse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.http.HttpTesting.Resp;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BodyLimitAggregatorTest {
    private static final int LIMIT = 16;
    private static final String AT_LIMIT = "0123456789abcdef";

    private EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), new BodyLimitAggregator(LIMIT));

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
    }

    private static String post(String body, String... extraHeaderLines) {
        StringBuilder sb = new StringBuilder("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n");
        for (String h : extraHeaderLines) {
            sb.append(h).append("\r\n");
        }
        return sb.append("Content-Length: ")
                .append(body.length())
                .append("\r\n\r\n")
                .append(body)
                .toString();
    }

    private void assertAggregated(String expectedBody) {
        FullHttpRequest r = readRequest(ch);
        try {
            assertEquals(expectedBody, r.content().toString(StandardCharsets.UTF_8));
        } finally {
            r.release();
        }
    }

    @Test
    void declaredLengthOverLimitGets413AndKeepAliveConnectionServesNextRequest() {
        ch.writeInbound(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nx-request-id: big-1\r\n"
                + "Content-Length: 17\r\n\r\n"));

        Resp r = readResponse(ch);
        assertOpenAiError(r, 413, "invalid_request_error", "request_too_large");
        assertTrue(r.body().contains("limit of 16 bytes"), r.body());
        assertEquals("big-1", r.header(RequestIds.HEADER));
        assertAbsent(r, HttpHeaderNames.CONNECTION);
        assertTrue(ch.isOpen());
        assertNothingPassedOn(ch);

        // The excess body is skipped; the next request on the connection aggregates normally.
        ch.writeInbound(ascii("x".repeat(17) + post("hello")));
        assertAggregated("hello");
        assertNothingPassedOn(ch);
        assertNoResponse(ch);
        assertTrue(ch.isOpen());
    }

    @Test
    void declaredLengthOverLimitWithConnectionCloseClosesAfter413() {
        ch.writeInbound(ascii(post(AT_LIMIT + "!", "Connection: close")));

        Resp r = readResponse(ch);
        assertOpenAiError(r, 413, "invalid_request_error", "request_too_large");
        assertEquals("close", r.header(HttpHeaderNames.CONNECTION));
        assertGeneratedId(r.header(RequestIds.HEADER));
        assertFalse(ch.isOpen());
        assertNothingPassedOn(ch);
    }

    @Test
    void chunkedBodyGrowingOverLimitGets413AndIsClosed() {
        ch.writeInbound(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nx-request-id: chunky\r\n"
                + "Transfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n"));
        assertNoResponse(ch);
        assertTrue(ch.isOpen());

        ch.writeInbound(ascii("7\r\nabcdefg\r\n"));
        Resp r = readResponse(ch);
        assertOpenAiError(r, 413, "invalid_request_error", "request_too_large");
        assertEquals("chunky", r.header(RequestIds.HEADER));
        assertEquals("close", r.header(HttpHeaderNames.CONNECTION));
        assertFalse(ch.isOpen(), "part of the body is already in; the rest cannot be skipped safely");
        assertNothingPassedOn(ch);
    }

    @Test
    void declaredBodyExactlyAtLimitPasses() {
        ch.writeInbound(ascii(post(AT_LIMIT)));
        assertAggregated(AT_LIMIT);
        assertNoResponse(ch);
        assertTrue(ch.isOpen());
    }

    @Test
    void chunkedBodyExactlyAtLimitPasses() {
        ch.writeInbound(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "a\r\n0123456789\r\n6\r\nabcdef\r\n0\r\n\r\n"));
        assertAggregated("0123456789abcdef");
        assertNoResponse(ch);
        assertTrue(ch.isOpen());
    }

    @Test
    void expectContinueOverLimitGetsOpenAi413AndTheConnectionCloses() {
        ch.writeInbound(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nx-request-id: expect-1\r\n"
                + "Expect: 100-continue\r\nContent-Length: 17\r\n\r\n"));

        Resp r = readResponse(ch);
        assertOpenAiError(r, 413, "invalid_request_error", "request_too_large");
        assertEquals("expect-1", r.header(RequestIds.HEADER));
        assertEquals("close", r.header("connection"));
        assertNothingPassedOn(ch);
        // The client may send the body anyway or not: what follows cannot be told apart, so no more is read.
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
    }

    @Test
    void expectContinueWithinLimitGets100Continue() {
        ch.writeInbound(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
                + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
        assertEquals(100, readResponse(ch).status());
        ch.writeInbound(ascii("hello"));
        assertAggregated("hello");
    }
}
