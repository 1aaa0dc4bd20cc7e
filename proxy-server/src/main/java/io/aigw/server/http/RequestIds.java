package io.aigw.server.http;

import io.aigw.server.exchange.HexIds;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: an incoming {@code x-request-id} is honoured when it is short and plain (it ends up in
 * response headers and log rows, so nothing that could split a header or a log line gets through);
 * otherwise a new random id is made.
 */
public final class RequestIds {
    public static final String HEADER = "x-request-id";
    private static final int MAX_LENGTH = 128;

    private RequestIds() {}

    public static String of(HttpHeaders headers) {
        String incoming = headers.get(HEADER);
        return incoming != null && isAcceptable(incoming) ? incoming : generate();
    }

    static boolean isAcceptable(String id) {
        int n = id.length();
        if (n == 0 || n > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** 128 random bits as {@code req_} + 32 hex digits; ThreadLocalRandom keeps the event loop lock-free. */
    public static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return HexIds.of("req_", r.nextLong(), r.nextLong());
    }
}
