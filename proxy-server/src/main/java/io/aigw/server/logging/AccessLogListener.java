package io.aigw.server.logging;

import io.aigw.core.auth.KeyHash;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.exchange.Usage;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.exchange.ExchangeListener;
import io.aigw.server.http.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code logging.access_log: true}: one line per exchange on the {@value #LOGGER} logger when it is
 * over, e.g. {@code POST /v1/chat/completions 200 model=gpt-4o provider=openai latency_ms=812
 * ttfb_ms=95 input_tokens=12 output_tokens=40 key=3f2a9c01 request_id=...}. In JSON the same fields
 * are key-value pairs too. The key is named by the first 8 hex digits of its SHA-256, never itself.
 *
 * <p>The server always listens with it; whether an exchange gets a line is its own config's
 * {@code logging.access_log}, so a reload can turn the access log on or off.
 */
public final class AccessLogListener implements ExchangeListener {
    public static final String LOGGER = "aigw.access";
    private static final int KEY_PREFIX = 8;
    /** A client's model name or path is written as sent only up to this length. */
    private static final int MAX_TEXT = 200;

    private final Logger log;

    public AccessLogListener() {
        this(LoggerFactory.getLogger(LOGGER));
    }

    /** Writing to {@code log} instead (tests). */
    public AccessLogListener(Logger log) {
        this.log = log;
    }

    @Override
    public void completed(Exchange exchange) {
        if (!on(exchange) || !log.isInfoEnabled()) {
            return;
        }
        long end = exchange.endNanos() >= 0 ? exchange.endNanos() : System.nanoTime();
        String method = exchange.method().name();
        String path = clean(exchange.path());
        String model = clean(exchange.routeName() != null ? exchange.routeName() : exchange.requestedModel());
        Attempt last = exchange.lastAttempt();
        String provider = last == null ? null : last.provider();
        int status = exchange.statusCode();
        long latencyMs = millis(end - exchange.startNanos());
        long ttfbMs = exchange.firstByteToClientNanos() < 0
                ? -1
                : millis(exchange.firstByteToClientNanos() - exchange.startNanos());
        Usage usage = exchange.usage();
        KeyHash keyHash = exchange.keyHash();
        String key = keyHash == null ? null : keyHash.hex().substring(0, KEY_PREFIX);

        StringBuilder line = new StringBuilder(160)
                .append(method)
                .append(' ')
                .append(path)
                .append(' ')
                .append(status);
        field(line, "model", model);
        field(line, "provider", provider);
        line.append(" latency_ms=").append(latencyMs);
        if (ttfbMs >= 0) {
            line.append(" ttfb_ms=").append(ttfbMs);
        }
        if (usage.promptTokens() >= 0) {
            line.append(" input_tokens=").append(usage.promptTokens());
        }
        if (usage.completionTokens() >= 0) {
            line.append(" output_tokens=").append(usage.completionTokens());
        }
        field(line, "key", key);
        if (exchange.clientClosed()) {
            line.append(" client_closed=true");
        }
        line.append(" request_id=").append(exchange.requestId());

        var event = log.atInfo()
                .setMessage(line.toString())
                .addKeyValue("method", method)
                .addKeyValue("path", path)
                .addKeyValue("status", status)
                .addKeyValue("latency_ms", latencyMs);
        if (model != null) {
            event = event.addKeyValue("model", model);
        }
        if (provider != null) {
            event = event.addKeyValue("provider", provider);
        }
        if (ttfbMs >= 0) {
            event = event.addKeyValue("ttfb_ms", ttfbMs);
        }
        if (usage.promptTokens() >= 0) {
            event = event.addKeyValue("input_tokens", usage.promptTokens());
        }
        if (usage.completionTokens() >= 0) {
            event = event.addKeyValue("output_tokens", usage.completionTokens());
        }
        if (key != null) {
            event = event.addKeyValue("key", key);
        }
        event.log();
    }

    /**
     * {@code logging.access_log} of the config the exchange started with (a reload turns the log on or
     * off for the exchanges that start after it); an exchange without one (tests) is logged.
     */
    private static boolean on(Exchange exchange) {
        ProxyConfig config = exchange.config();
        return config == null || config.logging().accessLog();
    }

    private static void field(StringBuilder line, String name, String value) {
        if (value != null) {
            line.append(' ').append(name).append('=').append(value);
        }
    }

    private static long millis(long nanos) {
        return Math.max(0, nanos / 1_000_000);
    }

    /**
     * A client-chosen string (a requested model, a decoded path) as one token: control characters,
     * spaces, quotes and backslashes escaped, so it can neither split the line nor fake a field.
     */
    static String clean(String s) {
        if (s == null) {
            return null;
        }
        int n = Math.min(s.length(), MAX_TEXT);
        StringBuilder out = null;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean plain = c > ' ' && c != '"' && c != '\\' && c != 0x7f;
            if (out == null) {
                if (plain) {
                    continue;
                }
                out = new StringBuilder(n + 8).append(s, 0, i);
            }
            if (plain) {
                out.append(c);
            } else {
                out.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c & 0xff));
            }
        }
        String cleaned = out == null ? s.substring(0, n) : out.toString();
        return s.length() > MAX_TEXT ? cleaned + "..." : cleaned;
    }
}
