package io.aigw.server;

import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.ServerConfig;
import io.aigw.core.log.RequestLog;
import io.aigw.server.exchange.ExchangeListeners;
import io.aigw.server.http.ActiveExchanges;
import io.aigw.server.http.ApiKeyAuthHandler;
import io.aigw.server.http.BodyLimitAggregator;
import io.aigw.server.http.EndpointRouter;
import io.aigw.server.http.ExchangeStartHandler;
import io.aigw.server.http.RequestReadTimeoutHandler;
import io.aigw.server.http.TooManyConnectionsHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.util.AttributeKey;

/** The inbound pipeline of a client connection; its order is drawn in {@link PipelineNames}. */
final class ProxyChannelInitializer extends ChannelInitializer<Channel> {
    private final ServerConfig server;
    private final ApiKeyAuthHandler auth;
    private final EndpointRouter router;
    private final ActiveExchanges active;
    private final RequestLog requestLog;
    private final ExchangeListeners listeners;
    private final ProxyConfig config;

    ProxyChannelInitializer(
            ProxyConfig config,
            ApiKeyAuthHandler auth,
            EndpointRouter router,
            ActiveExchanges active,
            RequestLog requestLog,
            ExchangeListeners listeners) {
        this.config = config;
        this.listeners = listeners;
        ServerConfig server = config.server();
        this.server = server;
        this.auth = auth;
        this.router = router;
        this.active = active;
        this.requestLog = requestLog;
    }

    /** Set on a connection over a connection cap: it gets only a 503 and is closed. */
    static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf("aigw.refused");

    private static final TooManyConnectionsHandler TOO_MANY = new TooManyConnectionsHandler();

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (ch.hasAttr(REFUSED)) {
            p.addLast(PipelineNames.HTTP_CODEC, new HttpResponseEncoder());
            p.addLast(PipelineNames.REFUSAL, TOO_MANY);
            return;
        }
        RequestReadTimeoutHandler timeout = new RequestReadTimeoutHandler(
                server.requestReadTimeout().toNanos(), server.idleTimeout().toNanos());
        p.addLast(PipelineNames.HEAD_WATCH, timeout.headWatch());
        addHttpCodec(p);
        p.addLast(PipelineNames.READ_TIMEOUT, timeout);
        addAggregation(p);
        addExchangeHandlers(p);
    }

    private void addHttpCodec(ChannelPipeline p) {
        p.addLast(
                PipelineNames.HTTP_CODEC,
                new HttpServerCodec(server.maxInitialLineBytes(), server.maxHeaderBytes(), 64 * 1024));
        p.addLast(PipelineNames.KEEP_ALIVE, new HttpServerKeepAliveHandler());
    }

    private void addAggregation(ChannelPipeline p) {
        p.addLast(
                PipelineNames.AGGREGATOR,
                new BodyLimitAggregator((int) Math.min(Integer.MAX_VALUE, server.maxBodyBytes()), auth));
    }

    private void addExchangeHandlers(ChannelPipeline p) {
        p.addLast(PipelineNames.EXCHANGE_START, new ExchangeStartHandler(active, requestLog, listeners, config));
        p.addLast(PipelineNames.AUTH, auth);
        p.addLast(PipelineNames.ROUTER, router);
    }
}
