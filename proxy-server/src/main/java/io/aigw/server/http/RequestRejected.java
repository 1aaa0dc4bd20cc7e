package io.aigw.server.http;

import io.aigw.core.error.ApiError;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Fired down the pipeline by a handler that answers a request before it becomes an exchange (the
 * body limit's 413), so {@link ExchangeStartHandler} can still give it a request-log row. The
 * request is only read while the event passes, never kept.
 */
record RequestRejected(HttpRequest request, String requestId, ApiError error) {}
