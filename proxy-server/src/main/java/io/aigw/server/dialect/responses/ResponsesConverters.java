package io.aigw.server.dialect.responses;

import io.aigw.core.config.ResponsesApi;
import io.aigw.core.exchange.ClientApi;
import io.aigw.server.dialect.Converter;
import io.aigw.server.dialect.Converters;
import io.aigw.server.dialect.ViaChat;
import java.util.List;

/**
 * The converters of OpenAI's Responses client API, by provider type: passed through to an openai or
 * azure provider with {@code responses: native} (the default for api.openai.com), carried as chat
 * completions to every other provider.
 */
public final class ResponsesConverters {
    private ResponsesConverters() {}

    public static void register(Converters converters) {
        Converter viaChat = new ViaChat(ResponsesBridge::new);
        Converter passThrough = new NativeResponses();
        converters.registerAll(
                ClientApi.RESPONSES,
                List.of("openai", "azure"),
                in -> in.provider().responsesApi() == ResponsesApi.NATIVE
                        ? passThrough.prepare(in)
                        : viaChat.prepare(in));
        converters.registerAll(ClientApi.RESPONSES, List.of("anthropic", "ollama", "gemini"), viaChat);
    }
}
