package io.aigw.server.dialect.messages;

import io.aigw.core.exchange.ClientApi;
import io.aigw.server.dialect.Converters;
import io.aigw.server.dialect.ViaChat;
import java.util.List;

/**
 * The converters of Anthropic's Messages client API, by provider type: an Anthropic provider gets the
 * request as it came (only {@code model} rewritten); every other provider gets it as chat completions
 * through its own dialect, and the answer comes back as a Messages answer.
 */
public final class MessagesConverters {
    private MessagesConverters() {}

    public static void register(Converters converters) {
        converters.register(ClientApi.ANTHROPIC, "anthropic", new AnthropicPassThrough());
        converters.registerAll(
                ClientApi.ANTHROPIC, List.of("openai", "azure", "ollama", "gemini"), new ViaChat(MessagesBridge::new));
    }
}
