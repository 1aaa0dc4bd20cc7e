package io.aigw.server.runtime;

import io.aigw.core.config.ProxyConfig;
import io.aigw.core.log.CaptureSettings;
import io.aigw.server.http.ApiKeyAuthHandler;
import io.aigw.server.http.EndpointRouter;
import io.aigw.server.http.ExchangeRuntime;
import io.aigw.server.routing.Routing;
import io.aigw.server.upstream.UpstreamClient;

/**
 * Everything built from the config that a reload can change, as one immutable value the server
 * swaps atomically: routes and key pools (with the state they carried over), the upstream client
 * (providers, request builders, origins), the file's client and admin keys, and the endpoints
 * built over them.
 *
 * @param version 0 for the start's config, then one more per reload that changed something
 * @param config the configuration in effect: the file's, less the settings that need a restart
 * @param logCapture the request log's bodies, body cap and compiled redaction rules of {@code config}
 */
public record RuntimeSnapshot(
        long version,
        ProxyConfig config,
        Routing routing,
        UpstreamClient upstream,
        ApiKeyAuthHandler auth,
        EndpointRouter router,
        CaptureSettings logCapture)
        implements ExchangeRuntime {

    /** With the request log settings of {@code config}, compiled here. */
    public RuntimeSnapshot(
            long version,
            ProxyConfig config,
            Routing routing,
            UpstreamClient upstream,
            ApiKeyAuthHandler auth,
            EndpointRouter router) {
        this(version, config, routing, upstream, auth, router, CaptureSettings.of(config.requestLog()));
    }
}
