package io.aigw.server;

import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.RequestLogConfig;
import io.aigw.core.log.RequestLog;

/** Opens the request log the config asks for. */
final class RequestLogs {
    private RequestLogs() {}

    static RequestLog open(ProxyConfig config) {
        RequestLogConfig c = config.requestLog();
        return RequestLog.off(c);
    }
}
