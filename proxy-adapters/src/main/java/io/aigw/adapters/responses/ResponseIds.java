package io.aigw.adapters.responses;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids of a Response built from chat: {@code resp_<base>}, and per output item {@code msg_<base>_<n>}
 * or {@code fc_<base>_<n>}. The base is random per call (ids are handles, not secrets); tests pass a
 * fixed one.
 */
public final class ResponseIds {
    private ResponseIds() {}

    /** 24 random hex digits. */
    public static String newBase() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return String.format("%016x%08x", r.nextLong(), r.nextInt());
    }

    static String response(String base) {
        return "resp_" + base;
    }

    static String item(String base, boolean message, int n) {
        return (message ? "msg_" : "fc_") + base + "_" + n;
    }

    /** For a chat tool call that came without an id (the Responses API requires a call_id). */
    static String call(String base, int n) {
        return "call_" + base + "_" + n;
    }
}
