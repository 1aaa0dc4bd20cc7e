package io.aigw.server;

import io.aigw.core.config.ServerConfig;
import io.aigw.core.log.RequestLog;
import io.aigw.server.exchange.ExchangeListeners;
import io.aigw.server.http.ActiveExchanges;
import io.aigw.server.http.BodyLimitAggregator;
import io.aigw.server.http.ExchangeRuntime;
import io.aigw.server.http.ExchangeStartHandler;
import io.aigw.server.http.RequestReadTimeoutHandler;
import io.aigw.server.http.RuntimeDispatch;
import io.aigw.server.http.TooManyConnectionsHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.util.AttributeKey;
import java.util.function.Supplier;

/** The inbound pipeline of a client connection; its order is drawn in {@link PipelineNames}. */
final class ProxyChannelInitializer extends ChannelInitializer<Channel> {
    private final ServerConfig server;
    /** The newest runtime snapshot: each exchange takes it once, at its start. */
    private final Supplier<? extends ExchangeRuntime> runtimes;

    private final ChannelInboundHandlerAdapter auth;
    private final ChannelInboundHandlerAdapter router;
    private final ActiveExchanges active;
    private final RequestLog requestLog;
    private final ExchangeListeners listeners;

    /** @param server the settings of the start's config: a reload does not change them */
    ProxyChannelInitializer(
            ServerConfig server,
            Supplier<? extends ExchangeRuntime> runtimes,
            ActiveExchanges active,
            RequestLog requestLog,
            ExchangeListeners listeners) {
        this.listeners = listeners;
        this.server = server;
        this.runtimes = runtimes;
        this.auth = RuntimeDispatch.auth(runtimes);
        this.router = RuntimeDispatch.router(runtimes);
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
                new BodyLimitAggregator(
                        (int) Math.min(Integer.MAX_VALUE, server.maxBodyBytes()),
                        () -> runtimes.get().auth()));
    }

    private void addExchangeHandlers(ChannelPipeline p) {
        p.addLast(
                PipelineNames.EXCHANGE_START,
                ExchangeStartHandler.withRuntimes(active, requestLog, listeners, runtimes));
        p.addLast(PipelineNames.AUTH, auth);
        p.addLast(PipelineNames.ROUTER, router);
    }
}
