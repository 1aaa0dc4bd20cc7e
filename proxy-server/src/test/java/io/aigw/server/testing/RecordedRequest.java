package io.aigw.server.testing;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/** An immutable copy of one request the {@link TestUpstream} received; owns no Netty buffers. */
public final class RecordedRequest {

    private final String method;
    private final String uri;
    private final HttpHeaders headers;
    private final byte[] body;

    private RecordedRequest(String method, String uri, HttpHeaders headers, byte[] body) {
        this.method = method;
        this.uri = uri;
        this.headers = headers;
        this.body = body;
    }

    /** Copies everything out of {@code req} so the caller can release it straight away. */
    static RecordedRequest copyOf(FullHttpRequest req) {
        return new RecordedRequest(
                req.method().name(), req.uri(), req.headers().copy(), ByteBufUtil.getBytes(req.content()));
    }

    public String method() {
        return method;
    }

    /** The request target as sent, e.g. {@code /v1/chat/completions?x=1}. */
    public String uri() {
        return uri;
    }

    /** A private copy of the request headers; mutating it does not affect anything. */
    public HttpHeaders headers() {
        return headers;
    }

    /** First value of the header, or null. */
    public String header(String name) {
        return headers.get(name);
    }

    public byte[] body() {
        return body.clone();
    }

    public String bodyUtf8() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return method + " " + uri + " (" + body.length + " body bytes)";
    }
}
