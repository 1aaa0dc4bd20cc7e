package io.aigw.server.http;

import static io.aigw.server.http.HttpTesting.assertNoResponse;
import static io.aigw.server.http.HttpTesting.assertNothingPassedOn;
import static io.aigw.server.http.HttpTesting.assertOpenAiError;
import static io.aigw.server.http.HttpTesting.get;
import static io.aigw.server.http.HttpTesting.readRequest;
import static io.aigw.server.http.HttpTesting.readResponse;
import static io.aigw.server.http.HttpTesting.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.auth.ApiKeyStore;
import io.aigw.core.auth.KeyHash;
import io.aigw.server.http.HttpTesting.Resp;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeyAuthHandlerTest {
    private static final String KEY = "sk-aigw-test-0123456789";
    private static final String OTHER_KEY = "sk-aigw-other";
    private static final ApiKeyStore STORE = new ApiKeyStore(List.of(KeyHash.ofKey(KEY), KeyHash.ofKey(OTHER_KEY)));

    private final EmbeddedChannel ch = new EmbeddedChannel(new ApiKeyAuthHandler(STORE));

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
    }

    /** Sends the request with the exchange ExchangeStartHandler would have started for it. */
    private Exchange send(FullHttpRequest request) {
        Exchange ex = new Exchange("req-auth-test", System.nanoTime(), request.method(),
                new QueryStringDecoder(request.uri()).path());
        ch.attr(Exchange.KEY).set(ex);
        ch.writeInbound(request);
        return ex;
    }

    private static FullHttpRequest withAuth(String authorization) {
        return request(HttpMethod.POST, "/v1/chat/completions", "{}", HttpHeaderNames.AUTHORIZATION.toString(),
                authorization);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer " + KEY, "bearer " + KEY, "BEARER " + KEY, "BeArEr " + KEY,
            "Bearer   " + KEY + "  ", "Bearer \t" + KEY + "\t"})
    void validBearerKeyPassesAndSetsKeyHash(String authorization) {
        FullHttpRequest sent = withAuth(authorization);
        Exchange ex = send(sent);

        assertSame(sent, readRequest(ch));
        assertEquals(1, sent.refCnt());
        sent.release();
        assertEquals(KeyHash.ofKey(KEY), ex.keyHash());
        assertNoResponse(ch);
    }

    @Test
    void eachConfiguredKeyIsAccepted() {
        Exchange ex = send(withAuth("Bearer " + OTHER_KEY));
        readRequest(ch).release();
        assertEquals(KeyHash.ofKey(OTHER_KEY), ex.keyHash());
        assertFalse(KeyHash.ofKey(KEY).equals(ex.keyHash()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic c2stYWlndy10ZXN0", "Token " + KEY, "Bearer", "Bearer ", "Bearer     ",
            "Bearer sk-aigw-wrong-guess", "Bearer " + KEY + "x", "Bearer" + KEY, KEY, "Bearer SK-AIGW-TEST-0123456789"})
    void badAuthorizationGets401AndRequestIsReleased(String authorization) {
        FullHttpRequest sent = withAuth(authorization);
        Exchange ex = send(sent);
        assertRejected(sent, ex);

        Resp r = readResponse(ch);
        assertOpenAiError(r, 401, "invalid_request_error", "invalid_api_key");
        String presented = authorization.length() > 7 ? authorization.substring(7).trim() : "";
        if (!presented.isEmpty()) {
            assertFalse(r.body().contains(presented), "401 must not echo the presented key: " + r.body());
            assertFalse(r.body().contains(authorization), r.body());
        }
        assertTrue(ch.isOpen(), "a 401 keeps the connection");
    }

    @Test
    void missingAuthorizationGets401() {
        FullHttpRequest sent = request(HttpMethod.POST, "/v1/chat/completions", "{}");
        Exchange ex = send(sent);
        assertRejected(sent, ex);
        assertOpenAiError(readResponse(ch), 401, "invalid_request_error", "invalid_api_key");
    }

    @Test
    void unknownPathsNeedAKeyToo() {
        FullHttpRequest sent = get("/v1/not-a-route");
        Exchange ex = send(sent);
        assertRejected(sent, ex);
        assertEquals(401, readResponse(ch).status(), "nothing about the API surface is told to anonymous callers");
    }

    @Test
    void healthPassesWithoutKey() {
        FullHttpRequest sent = get("/health?verbose=1");
        Exchange ex = send(sent);
        assertSame(sent, readRequest(ch));
        sent.release();
        assertNull(ex.keyHash());
        assertNoResponse(ch);
    }

    private void assertRejected(FullHttpRequest sent, Exchange ex) {
        assertEquals(0, sent.refCnt(), "rejected request released");
        assertNothingPassedOn(ch);
        assertNull(ex.keyHash());
    }
}
