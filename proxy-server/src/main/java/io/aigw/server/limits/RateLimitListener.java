package io.aigw.server.limits;

import io.aigw.server.exchange.ExchangeListener;
import io.aigw.server.http.Exchange;

/** Settles each admitted exchange when it completes: token charges corrected to its usage, leases freed. */
public final class RateLimitListener implements ExchangeListener {
    @Override
    public void completed(Exchange exchange) {
        Admission a = exchange.admission();
        if (a != null) {
            int status = exchange.statusCode();
            a.settle(exchange.usage(), status >= 200 && status < 300);
        }
    }
}
