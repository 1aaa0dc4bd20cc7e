package io.aigw.core.keys;

/** What a key spent over some days: USD (known prices only), tokens and requests. */
public record Spend(double usd, long inputTokens, long outputTokens, long requests) {
    public static final Spend NONE = new Spend(0, 0, 0, 0);

    public Spend plus(Spend o) {
        return new Spend(
                usd + o.usd, inputTokens + o.inputTokens, outputTokens + o.outputTokens, requests + o.requests);
    }
}
