package io.aigw.server.upstream;

import io.aigw.core.config.ProviderConfig;
import io.aigw.server.PipelineNames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Builds the pipeline of each new pooled upstream connection and resets it when it goes back (for a
 * {@link LoopPool}, which calls no other method of a pool handler).
 */
final class UpstreamPoolHandler extends AbstractChannelPoolHandler {
    private final ProviderConfig provider;
    private final SslContext ssl;
    private final ChannelGroup connections;

    UpstreamPoolHandler(ProviderConfig provider, SslContext ssl, ChannelGroup connections) {
        this.provider = provider;
        this.ssl = ssl;
        this.connections = connections;
    }

    @Override
    public void channelCreated(Channel ch) {
        connections.add(ch); // closed by UpstreamClient.close(), not left to the loop's shutdown
        ChannelPipeline p = ch.pipeline();
        if (ssl != null) {
            String host = provider.baseUrl().getHost();
            // newHandler(host, port) sends SNI; the endpoint algorithm makes the JDK check the name.
            SslHandler tls = ssl.newHandler(ch.alloc(), host, provider.port());
            SSLEngine engine = tls.engine();
            SSLParameters params = engine.getSSLParameters();
            if (provider.tls().verify()) {
                params.setEndpointIdentificationAlgorithm("HTTPS");
            }
            engine.setSSLParameters(params);
            tls.setHandshakeTimeoutMillis(provider.upstream().connectTimeout().toMillis());
            p.addLast(PipelineNames.TLS, tls);
        }
        // Requests go out as bytes UpstreamRequest rendered, so only responses need a codec. Its
        // decoder is HttpClientCodec's, less the request-method queue that only HEAD and CONNECT need
        // (the proxy sends neither): premature closes and 1xx heads arrive as before.
        p.addLast(PipelineNames.HTTP_CLIENT, new HttpResponseDecoder(4096, 16 * 1024, 16 * 1024));
        long idle = provider.upstream().poolIdleTimeout().toMillis();
        p.addLast(PipelineNames.POOL_IDLE, new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        p.addLast(PipelineNames.UPSTREAM, new UpstreamResponseHandler());
    }

    @Override
    public void channelReleased(Channel ch) {
        // A call may have paused reading for backpressure; the next call starts from a clean state.
        ch.config().setAutoRead(true);
    }
}
