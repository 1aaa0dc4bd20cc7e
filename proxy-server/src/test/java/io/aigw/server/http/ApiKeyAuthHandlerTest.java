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

    private static final String ADMIN_KEY = "sk-aigw-admin-0123456789";
    private static final ApiKeyStore ADMIN_STORE = new ApiKeyStore(List.of(KeyHash.ofKey(ADMIN_KEY)));

    /** No admin key configured. */
    private final EmbeddedChannel ch = new EmbeddedChannel(new ApiKeyAuthHandler(STORE));

    private final EmbeddedChannel withAdmin = new EmbeddedChannel(new ApiKeyAuthHandler(STORE, ADMIN_STORE));

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
        withAdmin.finishAndReleaseAll();
    }

    /** Sends the request with the exchange ExchangeStartHandler would have started for it. */
    private Exchange send(FullHttpRequest request) {
        return send(ch, request);
    }

    private static Exchange send(EmbeddedChannel channel, FullHttpRequest request) {
        Exchange ex = new Exchange(
                "req-auth-test", System.nanoTime(), request.method(), new QueryStringDecoder(request.uri()).path());
        channel.attr(Exchange.KEY).set(ex);
        channel.writeInbound(request);
        return ex;
    }

    private static FullHttpRequest withAuth(String authorization) {
        return request(
                HttpMethod.POST, "/v1/chat/completions", "{}", HttpHeaderNames.AUTHORIZATION.toString(), authorization);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Bearer " + KEY,
                "bearer " + KEY,
                "BEARER " + KEY,
                "BeArEr " + KEY,
                "Bearer   " + KEY + "  ",
                "Bearer \t" + KEY + "\t"
            })
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
    @ValueSource(
            strings = {
                "Basic c2stYWlndy10ZXN0",
                "Token " + KEY,
                "Bearer",
                "Bearer ",
                "Bearer     ",
                "Bearer sk-aigw-wrong-guess",
                "Bearer " + KEY + "x",
                "Bearer" + KEY,
                KEY,
                "Bearer SK-AIGW-TEST-0123456789"
            })
    void badAuthorizationGets401AndRequestIsReleased(String authorization) {
        FullHttpRequest sent = withAuth(authorization);
        Exchange ex = send(sent);
        assertRejected(sent, ex);

        Resp r = readResponse(ch);
        assertOpenAiError(r, 401, "invalid_request_error", "invalid_api_key");
        String presented =
                authorization.length() > 7 ? authorization.substring(7).trim() : "";
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

    @ParameterizedTest
    @ValueSource(strings = {"/admin/providers", "/admin/providers/openai/disable", "/admin", "/admin/unknown?x=1"})
    void anAdminKeyPassesUnderAdmin(String uri) {
        FullHttpRequest sent = get(uri, "Authorization", "Bearer " + ADMIN_KEY);
        Exchange ex = send(withAdmin, sent);
        assertSame(sent, readRequest(withAdmin));
        sent.release();
        assertEquals(KeyHash.ofKey(ADMIN_KEY), ex.keyHash());
        assertNoResponse(withAdmin);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer " + KEY, "Bearer sk-aigw-wrong-guess", "Basic c2stYWlndy10ZXN0"})
    void aClientKeyOrNoAdminKeyUnderAdminGets401SayingAnAdminKeyIsNeeded(String authorization) {
        FullHttpRequest sent = get("/admin/providers", "Authorization", authorization);
        Exchange ex = send(withAdmin, sent);
        assertEquals(0, sent.refCnt(), "rejected request released");
        assertNothingPassedOn(withAdmin);
        assertNull(ex.keyHash());
        Resp r = readResponse(withAdmin);
        assertOpenAiError(r, 401, "invalid_request_error", "invalid_api_key");
        assertTrue(r.body().contains("needs an admin key"), r.body());
        assertFalse(r.body().contains(authorization.substring(6).trim()), "the key is not echoed: " + r.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/chat/completions", "/v1/models", "/administrator", "/v1/admin/providers"})
    void anAdminKeyOutsideAdminGets401(String uri) {
        FullHttpRequest sent = request(HttpMethod.POST, uri, "{}", "Authorization", "Bearer " + ADMIN_KEY);
        Exchange ex = send(withAdmin, sent);
        assertEquals(0, sent.refCnt());
        assertNothingPassedOn(withAdmin);
        assertNull(ex.keyHash());
        Resp r = readResponse(withAdmin);
        assertOpenAiError(r, 401, "invalid_request_error", "invalid_api_key");
        assertFalse(r.body().contains("admin"), "a client path says nothing of the admin API: " + r.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer " + KEY, "Bearer " + ADMIN_KEY, ""})
    void withNoAdminKeyConfiguredAdminPathsGet401SayingSo(String authorization) {
        FullHttpRequest sent = authorization.isEmpty()
                ? get("/admin/providers")
                : get("/admin/providers", "Authorization", authorization);
        Exchange ex = send(sent);
        assertRejected(sent, ex);
        Resp r = readResponse(ch);
        assertOpenAiError(r, 401, "invalid_request_error", "invalid_api_key");
        assertTrue(r.body().contains("No admin key is configured"), r.body());
    }

    @Test
    void adminPathsAreSlashAdminAndWhatIsUnderIt() {
        assertTrue(ApiKeyAuthHandler.isAdminPath("/admin"));
        assertTrue(ApiKeyAuthHandler.isAdminPath("/admin/"));
        assertTrue(ApiKeyAuthHandler.isAdminPath("/admin/providers"));
        assertFalse(ApiKeyAuthHandler.isAdminPath("/administrator"));
        assertFalse(ApiKeyAuthHandler.isAdminPath("/adminx/providers"));
        assertFalse(ApiKeyAuthHandler.isAdminPath("/v1/admin/providers"));
        assertFalse(ApiKeyAuthHandler.isAdminPath("/"));
    }

    @Test
    void onlyReadsOfTheConsoleShellGoWithoutAKey() {
        assertTrue(ApiKeyAuthHandler.isConsole(HttpMethod.GET, "/admin/ui"));
        assertTrue(ApiKeyAuthHandler.isConsole(HttpMethod.GET, "/admin/ui/"));
        assertTrue(ApiKeyAuthHandler.isConsole(HttpMethod.HEAD, "/admin/ui/pages/logs.js"));
        // whatever follows is the endpoint's to refuse: it serves a fixed set of names, 404 for the rest
        assertTrue(ApiKeyAuthHandler.isConsole(HttpMethod.GET, "/admin/ui/../keys"));
        assertFalse(ApiKeyAuthHandler.isConsole(HttpMethod.POST, "/admin/ui/"));
        assertFalse(ApiKeyAuthHandler.isConsole(HttpMethod.DELETE, "/admin/ui/app.js"));
        assertFalse(ApiKeyAuthHandler.isConsole(HttpMethod.GET, "/admin/uix"));
        assertFalse(ApiKeyAuthHandler.isConsole(HttpMethod.GET, "/admin/u"));
        assertFalse(ApiKeyAuthHandler.isConsole(HttpMethod.GET, "/admin/keys"));
        assertFalse(ApiKeyAuthHandler.isConsole(HttpMethod.GET, "/v1/admin/ui/"));
    }

    private void assertRejected(FullHttpRequest sent, Exchange ex) {
        assertEquals(0, sent.refCnt(), "rejected request released");
        assertNothingPassedOn(ch);
        assertNull(ex.keyHash());
    }
}
