package io.aigw.server.dialect.messages;

import io.aigw.server.dialect.Converters;

/** The converters of Anthropic's Messages client API, by provider type. */
public final class MessagesConverters {
    private MessagesConverters() {}

    public static void register(Converters converters) {
        // filled in by the Messages API work (issue 18, package A)
    }
}
