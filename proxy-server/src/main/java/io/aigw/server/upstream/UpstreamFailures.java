package io.aigw.server.upstream;

import io.aigw.core.error.ApiError;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Words a transport failure as the client's error: refused, reset, TLS and DNS failures are 502s,
 * timeouts 504s, an exhausted pool a 503. Messages name the provider, never its URL or key.
 */
final class UpstreamFailures {
    private UpstreamFailures() {}

    static ApiError of(Throwable failure, String provider) {
        Throwable cause = rootmost(failure);
        String who = "provider '" + provider + "'";
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return ApiError.gatewayTimeout("Timed out connecting to " + who + ".");
        }
        if (cause instanceof TimeoutException || cause instanceof IllegalStateException) {
            return ApiError.unavailable(
                    "upstream_pool_exhausted", "Too many requests are waiting for a connection to " + who + ".");
        }
        if (cause instanceof UnknownHostException) {
            return ApiError.badGateway("upstream_dns_error", "Could not resolve the host of " + who + ".");
        }
        if (cause instanceof SSLException) {
            return ApiError.badGateway("upstream_tls_error", "TLS with " + who + " failed: " + tlsReason(cause) + ".");
        }
        if (cause instanceof ConnectException) {
            return ApiError.badGateway("upstream_connect_error", "Could not connect to " + who + ".");
        }
        if (cause instanceof ClosedChannelException) {
            return closedEarly(provider);
        }
        if (cause instanceof IOException) {
            return ApiError.badGateway("upstream_connection_error", "The connection to " + who + " failed.");
        }
        return ApiError.badGateway("upstream_error", "The call to " + who + " failed.");
    }

    static ApiError closedEarly(String provider) {
        return ApiError.badGateway(
                "upstream_connection_closed",
                "Provider '" + provider + "' closed the connection before the response was complete.");
    }

    /** SSL failures arrive wrapped in codec exceptions; the innermost SSLException says what went wrong. */
    private static Throwable rootmost(Throwable t) {
        Throwable best = t;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException
                    || c instanceof UnknownHostException
                    || c instanceof ConnectException
                    || c instanceof TimeoutException) {
                return c;
            }
            best = c;
            if (c.getCause() == c) {
                break;
            }
        }
        return t instanceof IOException || t instanceof IllegalStateException ? t : best;
    }

    /**
     * The kind of TLS failure, in words a client can act on. Exception texts are not passed on: they
     * name hosts and addresses of the provider side, which are the operator's business (they are logged).
     */
    private static String tlsReason(Throwable cause) {
        String m = String.valueOf(cause.getMessage());
        if (m.contains("PKIX") || m.contains("unable to find valid certification path")) {
            return "its certificate is not trusted";
        }
        if (m.contains("subject alternative") || m.contains("doesn't match") || m.contains("does not match")) {
            return "its certificate does not match the host name";
        }
        return "the handshake did not complete";
    }
}
