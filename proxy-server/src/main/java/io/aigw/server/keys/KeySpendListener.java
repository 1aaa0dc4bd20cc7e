package io.aigw.server.keys;

import io.aigw.core.exchange.Usage;
import io.aigw.core.keys.ClientKeys;
import io.aigw.core.keys.KeyPrincipal;
import io.aigw.server.exchange.ExchangeListener;
import io.aigw.server.http.Exchange;

/**
 * A database key's spend: at {@code completed}, each proxied exchange of such a key hands its cost
 * ({@link Exchange#costUsd()}, NaN when no price is known: no USD) and token usage to the batched
 * spend writer, and the ledger the budget check reads counts the USD at once. Never blocks.
 */
public final class KeySpendListener implements ExchangeListener {
    private final ClientKeys keys;

    public KeySpendListener(ClientKeys keys) {
        this.keys = keys;
    }

    @Override
    public void completed(Exchange exchange) {
        KeyPrincipal principal = exchange.principal();
        if (principal == null || exchange.attempts().isEmpty()) {
            return; // a config-file key, or no provider was called (refused, or the gateway's own endpoints)
        }
        Usage u = exchange.usage();
        keys.record(
                principal.id(),
                exchange.costUsd(),
                u.isKnown() ? u.promptTokens() : 0,
                u.isKnown() ? u.completionTokens() : 0,
                System.currentTimeMillis());
    }
}
