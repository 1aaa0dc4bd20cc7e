package io.aigw.server.http;

import io.aigw.core.config.ProxyConfig;
import io.aigw.core.log.CaptureSettings;

/**
 * What a reload can change about how a request is served, as one immutable value: an exchange takes
 * the current one when it starts and keeps it to its end (streams, retries and failovers included),
 * whatever reload happens meanwhile.
 */
public interface ExchangeRuntime {
    /** The configuration this runtime was built from. */
    ProxyConfig config();

    /** Checks the client or admin key of a request (the file's keys of this config). */
    ApiKeyAuthHandler auth();

    /** The endpoints built from this config. */
    EndpointRouter router();

    /** What the request log keeps of an exchange and how it redacts it (compiled once per config). */
    CaptureSettings logCapture();
}
