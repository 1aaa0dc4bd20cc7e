package io.aigw.server.http;

import static io.aigw.server.http.HttpTesting.ascii;
import static io.aigw.server.http.HttpTesting.assertGeneratedId;
import static io.aigw.server.http.HttpTesting.assertNoResponse;
import static io.aigw.server.http.HttpTesting.assertOpenAiError;
import static io.aigw.server.http.HttpTesting.readResponse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.http.HttpTesting.Resp;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestReadTimeoutHandlerTest {
    private static final Duration READ = Duration.ofSeconds(5);
    private static final Duration IDLE = Duration.ofSeconds(30);
    private static final Duration MARGIN = Duration.ofSeconds(1);
    private static final String COMPLETE =
            "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";

    private EmbeddedChannel ch;

    /** Codec + handler on a channel whose clock only moves when the test says so. */
    private EmbeddedChannel channel() {
        ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new HttpServerCodec(), new RequestReadTimeoutHandler(READ.toNanos(), IDLE.toNanos()));
        return ch;
    }

    /** As the proxy wires it: the head watch before the codec starts the clock at the first raw byte. */
    private EmbeddedChannel channelWithHeadWatch() {
        ch = new EmbeddedChannel();
        ch.freezeTime();
        RequestReadTimeoutHandler timeout = new RequestReadTimeoutHandler(READ.toNanos(), IDLE.toNanos());
        ch.pipeline().addLast(timeout.headWatch(), new HttpServerCodec(), timeout);
        return ch;
    }

    @AfterEach
    void release() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    private void advance(Duration d) {
        ch.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
    }

    /** The request parts the codec passed on are of no interest here; release them. */
    private void dropInbound() {
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void respond() {
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setContentLength(r, 0);
        ch.writeAndFlush(r);
        assertEquals(200, readResponse(ch).status());
    }

    @Test
    void incompleteBodyGets408WithRequestIdAndConnectionIsClosed() {
        channel();
        ch.writeInbound(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nx-request-id: client-id-1\r\n"
                + "Content-Length: 10\r\n\r\nhello"));
        dropInbound();

        advance(READ.minus(MARGIN));
        assertTrue(ch.isOpen(), "still within the read timeout");
        assertNoResponse(ch);

        advance(MARGIN.multipliedBy(2));
        Resp r = readResponse(ch);
        assertOpenAiError(r, 408, "invalid_request_error", "request_timeout");
        assertEquals("close", r.header(HttpHeaderNames.CONNECTION));
        assertEquals("client-id-1", r.header(RequestIds.HEADER));
        assertFalse(ch.isOpen(), "closed after the 408");
    }

    @Test
    void incompleteHeadersOnlyRequestWithInvalidIdGetsGeneratedId() {
        channel();
        ch.writeInbound(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nx-request-id: bad/id\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"));
        dropInbound();

        advance(READ.plus(MARGIN));
        Resp r = readResponse(ch);
        assertEquals(408, r.status());
        assertGeneratedId(r.header(RequestIds.HEADER));
        assertFalse(ch.isOpen());
    }

    @Test
    void completeRequestCancelsTheReadTimer() {
        channel();
        ch.writeInbound(ascii(COMPLETE));
        dropInbound();

        advance(READ.plus(MARGIN));
        assertNoResponse(ch);
        assertTrue(ch.isOpen());
    }

    @Test
    void idleConnectionIsClosedSilentlyAfterIdleTimeout() {
        channel();
        advance(IDLE.minus(MARGIN));
        assertTrue(ch.isOpen(), "still within the idle timeout");

        advance(MARGIN.multipliedBy(2));
        assertFalse(ch.isOpen());
        assertNoResponse(ch);
    }

    @Test
    void tricklingHeadersAreBoundedByTheIdleTimeout() {
        channel();
        ch.writeInbound(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"));
        advance(READ.plus(MARGIN));
        assertTrue(ch.isOpen(), "no request yet, so no read timeout");

        advance(IDLE);
        assertFalse(ch.isOpen());
        assertNoResponse(ch);
    }

    @Test
    void withTheHeadWatchATrickledHeadGets408AfterTheReadTimeout() {
        channelWithHeadWatch();
        ch.writeInbound(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"));
        advance(READ.minus(MARGIN));
        ch.writeInbound(ascii("X-More: b\r\n")); // more bytes do not restart the clock
        assertTrue(ch.isOpen());
        assertNoResponse(ch);

        advance(MARGIN.multipliedBy(2));
        Resp r = readResponse(ch);
        assertOpenAiError(r, 408, "invalid_request_error", "request_timeout");
        assertGeneratedId(r.header(RequestIds.HEADER));
        assertFalse(ch.isOpen());
    }

    @Test
    void withTheHeadWatchTheClockOfARequestStartsAtItsFirstByte() {
        channelWithHeadWatch();
        ch.writeInbound(ascii("POST /v1/chat/completions HTTP/1.1\r\n"));
        advance(READ.minus(MARGIN));
        ch.writeInbound(ascii("Host: a\r\nContent-Length: 10\r\n\r\nhello"));
        dropInbound();

        advance(MARGIN.multipliedBy(2));
        assertOpenAiError(readResponse(ch), 408, "invalid_request_error", "request_timeout");
    }

    @Test
    void withTheHeadWatchLineBreaksBetweenRequestsDoNotStartTheClock() {
        channelWithHeadWatch();
        ch.writeInbound(ascii(COMPLETE));
        dropInbound();
        respond();
        ch.writeInbound(ascii("\r\n"));
        advance(READ.plus(MARGIN));
        assertTrue(ch.isOpen(), "an idle connection, not a request");
        assertNoResponse(ch);
    }

    @Test
    void nothingFiresWhileAResponseIsPending() {
        channel();
        ch.writeInbound(ascii(COMPLETE));
        dropInbound();

        advance(READ.plus(IDLE).multipliedBy(10));
        assertTrue(ch.isOpen(), "a pending response (a long stream, say) is not idle");
        assertNoResponse(ch);
    }

    @Test
    void idleTimerReArmsOnlyAfterTheResponsesLastContentIsWritten() {
        channel();
        ch.writeInbound(ascii(COMPLETE));
        dropInbound();

        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ch.writeAndFlush(head);
        ch.writeAndFlush(new DefaultHttpContent(ascii("data: 1\n\n")));
        advance(IDLE.plus(MARGIN));
        assertTrue(ch.isOpen(), "response still streaming");

        ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        Resp r = readResponse(ch);
        assertEquals(200, r.status());
        assertEquals("data: 1\n\n", r.body());

        advance(IDLE.minus(MARGIN));
        assertTrue(ch.isOpen(), "idle timer restarted when the response ended");
        advance(MARGIN.multipliedBy(2));
        assertFalse(ch.isOpen());
        assertNoResponse(ch);
    }

    @Test
    void secondRequestOnKeepAliveConnectionIsTimedAgain() {
        channel();
        ch.writeInbound(ascii(COMPLETE));
        dropInbound();
        respond();

        advance(IDLE.minus(MARGIN));
        ch.writeInbound(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhe"));
        dropInbound();
        advance(MARGIN.multipliedBy(2));
        assertTrue(ch.isOpen(), "the idle timer was replaced by the read timer");

        advance(READ);
        assertEquals(408, readResponse(ch).status());
        assertFalse(ch.isOpen());
    }

    @Test
    void readTimeoutWhileEarlierResponseIsPendingClosesWithout408() {
        channel();
        ch.writeInbound(
                ascii(COMPLETE + "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhe"));
        dropInbound();

        advance(READ.plus(MARGIN));
        assertFalse(ch.isOpen());
        assertNoResponse(ch); // a 408 would interleave with the first response
    }
}
