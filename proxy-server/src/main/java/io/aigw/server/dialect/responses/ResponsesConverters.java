package io.aigw.server.dialect.responses;

import io.aigw.server.dialect.Converters;

/** The converters of OpenAI's Responses client API, by provider type. */
public final class ResponsesConverters {
    private ResponsesConverters() {}

    public static void register(Converters converters) {
        // filled in by the Responses API work (issue 18, package B)
    }
}
