package io.aigw.server;

import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.RequestLogConfig;
import io.aigw.core.log.LogStore;
import io.aigw.core.log.LogStores;
import io.aigw.core.log.Redactor;
import io.aigw.core.log.RequestLog;
import io.aigw.core.log.RequestLogWriter;
import io.aigw.core.log.RowRenderer;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the request log the config asks for: a writer over the chosen store, or nothing. */
final class RequestLogs {
    private static final Logger log = LoggerFactory.getLogger(RequestLogs.class);

    private RequestLogs() {}

    static RequestLog open(ProxyConfig config) {
        RequestLogConfig c = config.requestLog();
        LogStore store = switch (c.store()) {
            case OFF -> null;
            case SQLITE -> LogStores.sqlite(c.sqlitePath());
            case POSTGRES ->
                LogStores.postgres(
                        c.postgres().url(), c.postgres().user(), c.postgres().password());
            case STDOUT -> LogStores.stdout();
        };
        if (store == null) {
            log.info("request log off");
            return RequestLog.off(c);
        }
        // For records captured without a runtime's settings; a reload's rules come with each record.
        RowRenderer renderer = new RowRenderer(Redactor.of(c.redactRules(), c.customRedactions()));
        RequestLogWriter writer = new RequestLogWriter(c, store, renderer::renderCaptured).start();
        // The store names itself safely: a password inside a PostgreSQL URL is masked there.
        log.info(
                "request log: {}, bodies {}, redaction {}",
                store,
                c.bodies().name().toLowerCase(Locale.ROOT),
                c.redactRules().isEmpty() && c.customRedactions().isEmpty()
                        ? "off"
                        : String.join(", ", c.redactRules())
                                + (c.customRedactions().isEmpty()
                                        ? ""
                                        : " + "
                                                + String.join(
                                                        ", ",
                                                        c.customRedactions().keySet())));
        return writer;
    }
}
