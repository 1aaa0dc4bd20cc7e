package io.aigw.server.dialect;

import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * What a {@link Converter} gets for one attempt: the client's endpoint, body and headers (all only read;
 * {@code scan} was made from the body), the deployment, its provider, and the provider's dialect.
 */
public record CallInput(
        ApiEndpoint endpoint,
        ByteBuf body,
        HttpHeaders headers,
        RequestScan scan,
        Deployment deployment,
        ProviderConfig provider,
        Dialect dialect,
        ByteBufAllocator alloc) {}
