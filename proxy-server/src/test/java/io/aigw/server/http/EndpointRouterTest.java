package io.aigw.server.http;

import static io.aigw.server.http.HttpTesting.assertAbsent;
import static io.aigw.server.http.HttpTesting.assertNothingPassedOn;
import static io.aigw.server.http.HttpTesting.assertOpenAiError;
import static io.aigw.server.http.HttpTesting.get;
import static io.aigw.server.http.HttpTesting.readResponse;
import static io.aigw.server.http.HttpTesting.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.endpoint.Endpoint;
import io.aigw.server.http.HttpTesting.Resp;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EndpointRouterTest {
    /** Answers 200 with its name as the body and remembers what it was handed. */
    private static final class Named implements Endpoint {
        final String name;
        final List<FullHttpRequest> requests = new ArrayList<>();
        final List<Exchange> exchanges = new ArrayList<>();

        Named(String name) {
            this.name = name;
        }

        @Override
        public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
            requests.add(request);
            exchanges.add(exchange);
            request.release();
            Responses.sendJson(ctx, 200, name.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final Named chat = new Named("chat");
    private final Named models = new Named("models");
    private final Named model = new Named("model");
    private final Named thingsGet = new Named("things-get");
    private final EndpointRouter router = new EndpointRouter()
            .route(HttpMethod.POST, "/v1/chat/completions", chat)
            .route(HttpMethod.GET, "/v1/models", models)
            .routePrefix(HttpMethod.GET, "/v1/models/", model)
            .route(HttpMethod.POST, "/v1/things", new Named("things-post"))
            .route(HttpMethod.GET, "/v1/things", thingsGet)
            .route(HttpMethod.DELETE, "/v1/things", new Named("things-delete"));
    private EmbeddedChannel ch = new EmbeddedChannel(router);

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
    }

    private Exchange send(FullHttpRequest request) {
        Exchange ex = new Exchange(
                "req-router-1", System.nanoTime(), request.method(), new QueryStringDecoder(request.uri()).path());
        ch.attr(Exchange.KEY).set(ex);
        ch.writeInbound(request);
        return ex;
    }

    @Test
    void exactRouteDispatches() {
        FullHttpRequest sent = request(HttpMethod.POST, "/v1/chat/completions?x=1", "{}");
        Exchange ex = send(sent);

        assertEquals(List.of(sent), chat.requests);
        assertSame(ex, chat.exchanges.get(0));
        Resp r = readResponse(ch);
        assertEquals(200, r.status());
        assertEquals("chat", r.body());
        assertTrue(models.requests.isEmpty() && model.requests.isEmpty());
        assertNothingPassedOn(ch);
    }

    @Test
    void exactRouteWinsOverPrefix() {
        send(get("/v1/models"));
        assertEquals("models", readResponse(ch).body());
        assertTrue(model.requests.isEmpty());
    }

    @Test
    void prefixRouteDispatchesIdsContainingSlashes() {
        send(get("/v1/models/org/family/model-a"));
        assertEquals(1, model.requests.size());
        assertEquals("/v1/models/org/family/model-a", model.exchanges.get(0).path());
        assertEquals("model", readResponse(ch).body());
    }

    @Test
    void prefixWithNothingAfterItIsUnknown() {
        FullHttpRequest sent = get("/v1/models/");
        send(sent);
        assertOpenAiError(readResponse(ch), 404, "invalid_request_error", "unknown_url");
        assertEquals(0, sent.refCnt());
        assertTrue(model.requests.isEmpty());
    }

    @Test
    void unknownPathGets404AndRequestIsReleased() {
        FullHttpRequest sent = get("/v1/nope?x=1");
        send(sent);

        Resp r = readResponse(ch);
        assertOpenAiError(r, 404, "invalid_request_error", "unknown_url");
        assertTrue(r.body().contains("GET /v1/nope"), r.body());
        assertEquals(0, sent.refCnt());
        assertTrue(ch.isOpen());
        assertNothingPassedOn(ch);
    }

    @Test
    void knownPathWrongMethodGets405WithSortedAllow() {
        FullHttpRequest sent = request(HttpMethod.PUT, "/v1/things", "{}");
        send(sent);

        Resp r = readResponse(ch);
        assertOpenAiError(r, 405, "invalid_request_error", "method_not_allowed");
        assertEquals("DELETE, GET, POST", r.header(HttpHeaderNames.ALLOW));
        assertEquals(0, sent.refCnt());
        assertTrue(thingsGet.requests.isEmpty());
        assertTrue(ch.isOpen());
    }

    @Test
    void prefixRouteWrongMethodGets405() {
        FullHttpRequest sent = request(HttpMethod.POST, "/v1/models/m1", "{}");
        send(sent);
        Resp r = readResponse(ch);
        assertOpenAiError(r, 405, "invalid_request_error", "method_not_allowed");
        assertEquals("GET", r.header(HttpHeaderNames.ALLOW));
        assertEquals(0, sent.refCnt());
    }

    @Test
    void throwingEndpointGets500WithoutStackTraceAndRequestIsReleased() {
        router.route(HttpMethod.POST, "/v1/boom", (ctx, request, exchange) -> {
            request.retain(); // e.g. handed to an upstream call that never got to release it
            throw new IllegalStateException("secret-internal-detail");
        });
        FullHttpRequest sent = request(HttpMethod.POST, "/v1/boom", "{\"model\":\"m\"}");
        send(sent);

        Resp r = readResponse(ch);
        assertOpenAiError(r, 500, "api_error", "internal_error");
        assertTrue(r.body().contains("req-router-1"), r.body());
        assertFalse(r.body().contains("secret-internal-detail"), r.body());
        assertFalse(r.body().contains("IllegalStateException"), r.body());
        assertFalse(r.body().contains("\tat "), r.body());
        assertEquals("close", r.header(HttpHeaderNames.CONNECTION));
        assertEquals("req-router-1", r.header(RequestIds.HEADER));
        assertEquals(0, sent.refCnt());
        assertFalse(ch.isOpen());
    }

    @Test
    void errorResponsesOtherThan500KeepTheConnection() {
        send(get("/v1/nope"));
        assertAbsent(readResponse(ch), HttpHeaderNames.CONNECTION);
        assertTrue(ch.isOpen());
    }

    @Test
    void clientCloseAndWritabilityAreForwardedToTheExchangeListener() {
        List<String> events = new ArrayList<>();
        Exchange ex = new Exchange("req-listen", System.nanoTime(), HttpMethod.POST, "/v1/chat/completions");
        ex.listener(new Exchange.ClientListener() {
            @Override
            public void clientWritabilityChanged() {
                events.add("writability:" + ch.isWritable());
            }

            @Override
            public void clientClosed() {
                events.add("closed");
            }
        });
        ch.attr(Exchange.KEY).set(ex);

        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        ch.write(Unpooled.wrappedBuffer(new byte[64]));
        ch.runPendingTasks();
        ch.flush();
        ch.runPendingTasks();
        ((io.netty.buffer.ByteBuf) ch.readOutbound()).release();
        assertEquals(List.of("writability:false", "writability:true"), events);

        ch.close();
        assertEquals(List.of("writability:false", "writability:true", "closed"), events);
    }

    @Test
    void channelEventsWithoutExchangeOrListenerAreHarmless() {
        ch.pipeline().fireChannelWritabilityChanged();
        ch.attr(Exchange.KEY).set(new Exchange("req-x", System.nanoTime(), HttpMethod.GET, "/v1/models"));
        ch.pipeline().fireChannelWritabilityChanged();
        ch.close();
        assertFalse(ch.isOpen());
    }
}
