package io.aigw.server.http;

import static io.aigw.server.http.HttpTesting.ascii;
import static io.aigw.server.http.HttpTesting.assertGeneratedId;
import static io.aigw.server.http.HttpTesting.assertNoResponse;
import static io.aigw.server.http.HttpTesting.assertNothingPassedOn;
import static io.aigw.server.http.HttpTesting.assertOpenAiError;
import static io.aigw.server.http.HttpTesting.get;
import static io.aigw.server.http.HttpTesting.readRequest;
import static io.aigw.server.http.HttpTesting.readResponse;
import static io.aigw.server.http.HttpTesting.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.http.HttpTesting.Resp;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ExchangeStartHandlerTest {
    /** Records the exchange each request arrives with, then passes the request on. */
    private static final class ExchangeProbe extends ChannelInboundHandlerAdapter {
        final List<Exchange> seen = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            seen.add(Exchange.of(ctx.channel()));
            ctx.fireChannelRead(msg);
        }
    }

    private final ExchangeProbe probe = new ExchangeProbe();
    private EmbeddedChannel ch;

    @AfterEach
    void release() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    private EmbeddedChannel objects() {
        return ch = new EmbeddedChannel(new ExchangeStartHandler(), probe);
    }

    /** Raw bytes through a codec with small line/header limits and an aggregator, as in the server. */
    private EmbeddedChannel bytes() {
        return ch = new EmbeddedChannel(
                new HttpServerCodec(64, 128, 1024), new HttpObjectAggregator(1024), new ExchangeStartHandler(), probe);
    }

    private static FullHttpResponse ok(String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, ascii(body));
        HttpUtil.setContentLength(r, body.length());
        return r;
    }

    @Test
    void startsExchangeWithIncomingIdMethodAndDecodedPath() {
        objects();
        FullHttpRequest sent = request(
                HttpMethod.POST,
                "/v1/chat%20x/completions?stream=true&a=%2F",
                "{}",
                RequestIds.HEADER,
                "client:id-1.2_3");
        ch.writeInbound(sent);

        FullHttpRequest passed = readRequest(ch);
        assertSame(sent, passed);
        passed.release();
        Exchange ex = Exchange.of(ch);
        assertSame(ex, probe.seen.get(0));
        assertEquals("client:id-1.2_3", ex.requestId());
        assertEquals(HttpMethod.POST, ex.method());
        assertEquals("/v1/chat x/completions", ex.path());
        assertTrue(ex.startNanos() <= System.nanoTime());
    }

    @Test
    void invalidOrMissingIncomingIdIsReplacedByGeneratedOne() {
        objects();
        ch.writeInbound(get("/v1/models", RequestIds.HEADER, "bad id/with spaces"));
        readRequest(ch).release();
        String first = Exchange.of(ch).requestId();
        assertGeneratedId(first);

        ch.writeOutbound(ok(""));
        readResponse(ch);
        ch.writeInbound(get("/v1/models"));
        readRequest(ch).release();
        String second = Exchange.of(ch).requestId();
        assertGeneratedId(second);
        assertNotEquals(first, second);
    }

    @Test
    void stampsRequestIdOnResponseAndEndsExchangeWhenWritten() {
        objects();
        ch.writeInbound(get("/v1/models", RequestIds.HEADER, "abc"));
        readRequest(ch).release();

        FullHttpResponse response = ok("{}");
        response.headers().set(RequestIds.HEADER, "spoofed-by-upstream");
        ch.writeOutbound(response);
        Resp r = readResponse(ch);
        assertEquals("abc", r.header(RequestIds.HEADER));
        assertNull(Exchange.of(ch), "exchange ends with the response's last content");
    }

    @Test
    void pipelinedRequestIsHeldUntilResponseIsWritten() {
        objects();
        FullHttpRequest first = get("/v1/models", RequestIds.HEADER, "first");
        FullHttpRequest second = get("/v1/models/m1?x=1", RequestIds.HEADER, "second");
        ch.writeInbound(first, second);

        assertSame(first, readRequest(ch));
        first.release();
        assertNothingPassedOn(ch);
        assertEquals(1, second.refCnt(), "held, not released");

        // A streamed response: the held request waits for its last content.
        ch.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ch.writeOutbound(new DefaultHttpContent(ascii("part")));
        ch.runPendingTasks();
        assertNothingPassedOn(ch);
        DefaultHttpResponse head = ch.readOutbound();
        assertEquals("first", head.headers().get(RequestIds.HEADER));
        ((DefaultHttpContent) ch.readOutbound()).release();

        ch.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
        ch.readOutbound();
        ch.runPendingTasks();
        assertSame(second, readRequest(ch));
        second.release();
        Exchange ex = Exchange.of(ch);
        assertEquals("second", ex.requestId());
        assertEquals("/v1/models/m1", ex.path());
        assertEquals(
                List.of("first", "second"),
                probe.seen.stream().map(Exchange::requestId).toList());

        ch.writeOutbound(ok("two"));
        Resp r = readResponse(ch);
        assertEquals("second", r.header(RequestIds.HEADER));
        assertEquals("two", r.body());
        assertTrue(ch.isOpen());
    }

    @Test
    void moreThanSixteenHeldRequestsClosesAndReleasesThem() {
        objects();
        ch.writeInbound(get("/v1/models"));
        readRequest(ch).release();

        List<FullHttpRequest> held = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            FullHttpRequest r = get("/v1/models");
            held.add(r);
            ch.writeInbound(r);
        }
        assertTrue(ch.isOpen(), "16 held requests are allowed");
        held.forEach(r -> assertEquals(1, r.refCnt()));

        FullHttpRequest overflow = get("/v1/models");
        ch.writeInbound(overflow);
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
        assertEquals(0, overflow.refCnt());
        held.forEach(r -> assertEquals(0, r.refCnt(), "held requests released on close"));
        assertNothingPassedOn(ch);
        assertNoResponse(ch);
    }

    @Test
    void heldRequestsAreReleasedWhenChannelCloses() {
        objects();
        FullHttpRequest first = get("/a");
        FullHttpRequest second = get("/b");
        FullHttpRequest third = get("/c");
        ch.writeInbound(first, second, third);
        readRequest(ch).release();

        ch.close();
        assertEquals(0, second.refCnt());
        assertEquals(0, third.refCnt());
        assertNothingPassedOn(ch);
    }

    @Test
    void badRequestLineIsAnswered400AndClosed() {
        bytes();
        ch.writeInbound(ascii("GET /v1/models XYZ\r\nHost: a\r\n\r\n"));
        Resp r = readResponse(ch);
        assertOpenAiError(r, 400, "invalid_request_error", "malformed_http");
        assertEquals("close", r.header(HttpHeaderNames.CONNECTION));
        assertGeneratedId(r.header(RequestIds.HEADER));
        assertFalse(ch.isOpen());
        assertNothingPassedOn(ch);
        assertTrue(probe.seen.isEmpty());
    }

    @Test
    void tooLongRequestLineIsAnswered414AndClosed() {
        bytes();
        ch.writeInbound(ascii("GET /v1/" + "a".repeat(100) + " HTTP/1.1\r\nHost: a\r\n\r\n"));
        Resp r = readResponse(ch);
        assertOpenAiError(r, 414, "invalid_request_error", "uri_too_long");
        assertEquals("close", r.header(HttpHeaderNames.CONNECTION));
        assertFalse(ch.isOpen());
        assertNothingPassedOn(ch);
    }

    @Test
    void tooLongHeadersAreAnswered431AndClosed() {
        bytes();
        ch.writeInbound(ascii("GET /v1/models HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(200) + "\r\n\r\n"));
        Resp r = readResponse(ch);
        assertOpenAiError(r, 431, "invalid_request_error", "headers_too_large");
        assertEquals("close", r.header(HttpHeaderNames.CONNECTION));
        assertFalse(ch.isOpen());
        assertNothingPassedOn(ch);
    }

    @Test
    void wellFormedRequestThroughCodecStartsExchange() {
        bytes();
        ch.writeInbound(ascii("POST /v1/embeddings?x HTTP/1.1\r\nHost: a\r\nx-request-id: raw-1\r\n"
                + "Content-Length: 2\r\n\r\n{}"));
        readRequest(ch).release();
        assertEquals("raw-1", Exchange.of(ch).requestId());
        assertEquals("/v1/embeddings", Exchange.of(ch).path());
        assertTrue(ch.isOpen());
    }

    @Test
    void badPercentEncodingInPathIsAnswered400AndRequestReleased() {
        objects();
        FullHttpRequest bad = get("/v1/models/%zz", RequestIds.HEADER, "pct-1");
        ch.writeInbound(bad);

        assertEquals(0, bad.refCnt());
        assertNothingPassedOn(ch);
        Resp r = readResponse(ch);
        assertOpenAiError(r, 400, "invalid_request_error", "invalid_url");
        assertEquals("pct-1", r.header(RequestIds.HEADER));
        assertNull(Exchange.of(ch));
    }

    /** {@code durability: wal} as the handler sees it: records kept for the test to acknowledge. */
    private static final class WalLog implements io.aigw.core.log.RequestLog {
        final List<io.aigw.core.log.ExchangeRecord> offered = new ArrayList<>();
        final io.aigw.core.log.LogWriterStats stats = new io.aigw.core.log.LogWriterStats();

        @Override
        public io.aigw.core.config.RequestLogConfig config() {
            return io.aigw.core.config.RequestLogConfig.defaults(java.nio.file.Path.of("."));
        }

        @Override
        public void offer(io.aigw.core.log.ExchangeRecord record) {
            offered.add(record);
        }

        @Override
        public io.aigw.core.log.LogWriterStats stats() {
            return stats;
        }

        @Override
        public boolean holdsAnswers() {
            return true;
        }

        @Override
        public void close() {}
    }

    /**
     * With the WAL, the answer's last write (and a close asked for behind it) waits until the
     * record is on disk; the head and earlier chunks do not. Then it goes out, and the exchange ends.
     */
    @Test
    void theLastWriteAndACloseWaitForTheRecordOnDisk() {
        WalLog log = new WalLog();
        ch = new EmbeddedChannel(new ExchangeStartHandler(new ActiveExchanges(), log), probe);
        ch.writeInbound(request(HttpMethod.POST, "/v1/chat/completions", "{}"));
        readRequest(ch).release();
        ch.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ch.writeOutbound(new DefaultHttpContent(ascii("data: a\n\n")));
        var last = ch.writeAndFlush(new io.netty.handler.codec.http.DefaultLastHttpContent(ascii("data: [DONE]\n\n")));
        ch.close();
        Object head = ch.readOutbound();
        assertTrue(head instanceof io.netty.handler.codec.http.HttpResponse);
        DefaultHttpContent chunk = ch.readOutbound();
        chunk.release();
        assertNull(ch.readOutbound(), "the last chunk is held");
        assertFalse(last.isDone());
        assertTrue(ch.isOpen(), "the close waits behind the held answer");
        assertEquals(1, log.offered.size(), "the record went to the log at the last write");
        assertNotNull(log.offered.get(0).onDurable);
        assertEquals(200, log.offered.get(0).statusCode);

        log.offered.get(0).onDurable.run(); // the WAL thread's acknowledgement (here on the event loop)
        ch.runPendingTasks();
        LastHttpContent out = ch.readOutbound();
        assertEquals("data: [DONE]\n\n", out.content().toString(java.nio.charset.StandardCharsets.US_ASCII));
        out.release();
        assertTrue(last.isSuccess());
        assertFalse(ch.isOpen(), "then the close");
        assertNull(Exchange.of(ch));
        assertEquals(1, log.offered.size(), "offered once");
    }

    /**
     * A request-log listener that throws must not hold the answer hostage: with the WAL the last
     * write waits only for a record that was handed over, and one that was not goes out at once.
     */
    @Test
    void withTheWalAFailingLogListenerDoesNotHoldTheAnswer() {
        WalLog log = new WalLog();
        io.aigw.server.exchange.ExchangeListener broken = new io.aigw.server.exchange.ExchangeListener() {
            @Override
            public void completed(Exchange e) {
                throw new IllegalStateException("a listener bug");
            }
        };
        io.aigw.server.exchange.ExchangeListeners listeners =
                new io.aigw.server.exchange.ExchangeListeners(java.util.List.of(broken));
        ch = new EmbeddedChannel(new ExchangeStartHandler(new ActiveExchanges(), log, listeners, null), probe);
        ch.writeInbound(request(HttpMethod.POST, "/v1/chat/completions", "{}"));
        readRequest(ch).release();
        ch.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        var last = ch.writeAndFlush(new io.netty.handler.codec.http.DefaultLastHttpContent(ascii("data: [DONE]\n\n")));
        Object head = ch.readOutbound();
        assertTrue(head instanceof io.netty.handler.codec.http.HttpResponse);
        LastHttpContent out = ch.readOutbound();
        assertNotNull(out, "the last chunk went out without a record to wait for");
        out.release();
        assertTrue(last.isSuccess());
        assertEquals(0, log.offered.size());
        assertEquals(1, listeners.failures());
        assertNull(Exchange.of(ch));
    }
}
