package io.aigw.server.upstream;

import io.aigw.core.exchange.ClientApi;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which provider response headers reach the client: rate-limit and retry hints an SDK acts on, and
 * the provider's request id (renamed, because {@code x-request-id} is the proxy's own). Nothing
 * else: hop-by-hop and provider-identifying headers stay upstream. An Anthropic client (on
 * {@code /v1/messages}) keeps Anthropic's own names, {@code anthropic-ratelimit-*} and
 * {@code request-id}, which its SDK reads; OpenAI clients get them under OpenAI's names.
 */
final class ResponseHeaders {
    private static final Set<String> PASSED =
            Set.of("retry-after", "retry-after-ms", "x-should-retry", "openai-processing-ms", "openai-version");

    private static final AsciiString X_PROXY_PROVIDER = AsciiString.cached("x-proxy-provider");
    private static final AsciiString X_PROXY_MODEL = AsciiString.cached("x-proxy-model");
    private static final AsciiString X_PROXY_ATTEMPTS = AsciiString.cached("x-proxy-attempts");
    private static final AsciiString[] ATTEMPTS = {
        AsciiString.cached("0"),
        AsciiString.cached("1"),
        AsciiString.cached("2"),
        AsciiString.cached("3"),
        AsciiString.cached("4"),
        AsciiString.cached("5")
    };

    /** Anthropic's rate-limit headers under the names OpenAI SDKs and dashboards read. */
    private static final Map<String, String> ANTHROPIC_RATE_LIMITS = Map.of(
            "anthropic-ratelimit-requests-limit", "x-ratelimit-limit-requests",
            "anthropic-ratelimit-requests-remaining", "x-ratelimit-remaining-requests",
            "anthropic-ratelimit-tokens-limit", "x-ratelimit-limit-tokens",
            "anthropic-ratelimit-tokens-remaining", "x-ratelimit-remaining-tokens");

    private ResponseHeaders() {}

    /** Adds what every proxied answer carries: the passed-on provider headers and the route taken. */
    static void addProxyHeaders(HttpHeaders to, HttpHeaders upstream, String provider, String modelId, int attempts) {
        addProxyHeaders(to, upstream, provider, modelId, attempts, ClientApi.OPENAI);
    }

    /** {@link #addProxyHeaders}, with the provider headers named for the client's API. */
    static void addProxyHeaders(
            HttpHeaders to, HttpHeaders upstream, String provider, String modelId, int attempts, ClientApi api) {
        if (upstream != null) {
            if (api == ClientApi.ANTHROPIC) {
                copyForAnthropic(upstream, to);
            } else {
                copy(upstream, to);
            }
        }
        to.set(X_PROXY_PROVIDER, provider);
        to.set(X_PROXY_MODEL, modelId);
        to.set(X_PROXY_ATTEMPTS, attempts < ATTEMPTS.length ? ATTEMPTS[attempts] : Integer.toString(attempts));
    }

    /** For an Anthropic client: Anthropic's names as they are; another provider's OpenAI names too. */
    static void copyForAnthropic(HttpHeaders from, HttpHeaders to) {
        Iterator<Map.Entry<CharSequence, CharSequence>> it = from.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            if (!mayPass(e.getKey())) {
                continue;
            }
            String name = e.getKey().toString().toLowerCase(Locale.ROOT);
            if (PASSED.contains(name) || name.startsWith("x-ratelimit-") || name.startsWith("anthropic-ratelimit-")) {
                to.add(name, e.getValue());
            } else if (name.equals("request-id")) {
                to.set(name, e.getValue());
            } else if (name.equals("x-request-id")) {
                to.set("x-upstream-request-id", e.getValue());
            }
        }
    }

    static void copy(HttpHeaders from, HttpHeaders to) {
        Iterator<Map.Entry<CharSequence, CharSequence>> it = from.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            if (!mayPass(e.getKey())) {
                continue;
            }
            String name = e.getKey().toString().toLowerCase(Locale.ROOT);
            if (PASSED.contains(name) || name.startsWith("x-ratelimit-")) {
                to.add(name, e.getValue());
            } else if (name.equals("x-request-id") || name.equals("request-id")) {
                to.set("x-upstream-request-id", e.getValue());
            } else if (name.startsWith("anthropic-ratelimit-")) {
                String openAiName = ANTHROPIC_RATE_LIMITS.get(name);
                if (openAiName != null) {
                    to.set(openAiName, e.getValue());
                }
            }
        }
    }

    /**
     * Whether {@code name} can be one that is passed on: they all start with a, o, r or x (any case).
     * Most of a response's headers (content-*, date, server, connection) are ruled out here without
     * a lower-cased copy of their name.
     */
    private static boolean mayPass(CharSequence name) {
        if (name.isEmpty()) {
            return false;
        }
        char c = (char) (name.charAt(0) | 0x20);
        return c == 'a' || c == 'o' || c == 'r' || c == 'x';
    }
}
