package io.aigw.server.exchange;

import io.aigw.core.cost.Price;
import io.aigw.server.http.Exchange;

/**
 * The cost of an exchange, computed once when it completes and before its {@code completed}
 * listeners run (see {@code ExchangeStartHandler}), so the request log, metrics and key spend all
 * read the same {@link Exchange#costUsd()}.
 *
 * <p>The answering deployment is the last attempt's: earlier attempts failed (a provider does not
 * bill a 5xx or a refused connection), and usage is only ever stated by the attempt that answered.
 * The price is the one the attempt was made at ({@link Attempt#price()}: the deployment's override,
 * else the shipped table's entry for the model id sent).
 */
public final class ExchangeCost {
    private ExchangeCost() {}

    /** USD by the exchange's final usage and the answering deployment's price; NaN when either is unknown. */
    public static double of(Exchange exchange) {
        Attempt last = exchange.lastAttempt();
        Price price = last == null ? null : last.price();
        return price == null ? Double.NaN : price.costUsd(exchange.usage());
    }
}
