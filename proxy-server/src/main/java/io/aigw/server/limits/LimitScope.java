package io.aigw.server.limits;

/** Who a check limits, as the metrics and the 429's wording name it. */
enum LimitScope {
    KEY("key", "this API key"),
    IP("ip", "this client address"),
    GLOBAL("global", "this gateway");

    final String label;
    final String words;

    LimitScope(String label, String words) {
        this.label = label;
        this.words = words;
    }
}
