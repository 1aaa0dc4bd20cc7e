package io.aigw.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Small helpers shared by the handler tests: request factory, response reader, error-shape check. */
final class HttpTesting {
    static final Pattern GENERATED_ID = Pattern.compile("req_[0-9a-f]{32}");

    private HttpTesting() {}

    /** A response as the client sees it, detached from any buffer. */
    record Resp(int status, HttpHeaders headers, String body) {
        String header(CharSequence name) {
            return headers.get(name);
        }
    }

    /** A complete request with Content-Length set; {@code headers} are name/value pairs. */
    static FullHttpRequest request(HttpMethod method, String uri, String body, String... headers) {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        FullHttpRequest r = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                method,
                uri,
                Unpooled.buffer(bytes.length).writeBytes(bytes)); // never EMPTY_BUFFER: refCnt must be observable
        r.headers().set(HttpHeaderNames.HOST, "aigw.test");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    static FullHttpRequest get(String uri, String... headers) {
        return request(HttpMethod.GET, uri, null, headers);
    }

    static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    /**
     * Reads exactly one response written to the channel: a {@link FullHttpResponse} object (handler
     * tested alone) or the bytes an {@code HttpServerCodec} encoded. Everything read is released.
     */
    static Resp readResponse(EmbeddedChannel ch) {
        List<Resp> all = readResponses(ch);
        assertEquals(1, all.size(), "expected exactly one response, got " + all);
        return all.get(0);
    }

    /** Reads every response written so far, in order, releasing all of it. */
    static List<Resp> readResponses(EmbeddedChannel ch) {
        List<Resp> out = new ArrayList<>();
        EmbeddedChannel decoder = null;
        try {
            Object msg;
            while ((msg = ch.readOutbound()) != null) {
                if (msg instanceof FullHttpResponse r) {
                    out.add(detach(r));
                } else if (msg instanceof ByteBuf bytes) {
                    if (decoder == null) {
                        decoder = new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 20));
                    }
                    decoder.writeInbound(bytes);
                } else {
                    ReferenceCountUtil.release(msg);
                    fail("unexpected outbound message " + msg);
                }
            }
            if (decoder != null) {
                Object decoded;
                while ((decoded = decoder.readInbound()) != null) {
                    out.add(detach((FullHttpResponse) decoded));
                }
            }
        } finally {
            if (decoder != null) {
                decoder.finishAndReleaseAll();
            }
        }
        return out;
    }

    private static Resp detach(FullHttpResponse r) {
        try {
            assertTrue(r.decoderResult().isSuccess(), "response could not be decoded: " + r.decoderResult());
            return new Resp(
                    r.status().code(),
                    new DefaultHttpHeaders().add(r.headers()),
                    r.content().toString(StandardCharsets.UTF_8));
        } finally {
            r.release();
        }
    }

    static void assertNoResponse(EmbeddedChannel ch) {
        Object msg = ch.readOutbound();
        if (msg != null) {
            ReferenceCountUtil.release(msg);
            fail("expected nothing written, got " + msg);
        }
    }

    /** Reads the one inbound message a handler passed on, which must be a complete request. */
    static FullHttpRequest readRequest(EmbeddedChannel ch) {
        Object msg = ch.readInbound();
        assertNotNull(msg, "expected a request to be passed on");
        if (!(msg instanceof FullHttpRequest r)) {
            ReferenceCountUtil.release(msg);
            throw new AssertionError("expected a FullHttpRequest, got " + msg);
        }
        return r;
    }

    static void assertNothingPassedOn(EmbeddedChannel ch) {
        Object msg = ch.readInbound();
        if (msg != null) {
            ReferenceCountUtil.release(msg);
            fail("expected nothing passed on, got " + msg);
        }
    }

    /**
     * Asserts OpenAI's error shape {@code {"error":{"message":...,"type":...,"param":null,"code":...}}}
     * with a JSON content type and a matching Content-Length.
     */
    static void assertOpenAiError(Resp r, int status, String type, String code) {
        assertEquals(status, r.status(), () -> "status; body " + r.body());
        assertEquals("application/json", r.header(HttpHeaderNames.CONTENT_TYPE));
        assertEquals(
                String.valueOf(r.body().getBytes(StandardCharsets.UTF_8).length),
                r.header(HttpHeaderNames.CONTENT_LENGTH));
        assertTrue(
                r.body()
                        .matches("\\{\"error\":\\{\"message\":\"[^\"\\\\]*(\\\\.[^\"\\\\]*)*\"," + "\"type\":\""
                                + Pattern.quote(type) + "\",\"param\":null,\"code\":\"" + Pattern.quote(code) + "\"}}"),
                () -> "not the OpenAI error shape with type " + type + " and code " + code + ": " + r.body());
    }

    static void assertGeneratedId(String id) {
        assertNotNull(id, "x-request-id missing");
        assertTrue(GENERATED_ID.matcher(id).matches(), () -> "not a generated id: " + id);
    }

    static void assertAbsent(Resp r, CharSequence header) {
        assertNull(r.header(header), () -> header + " should be absent");
    }
}
