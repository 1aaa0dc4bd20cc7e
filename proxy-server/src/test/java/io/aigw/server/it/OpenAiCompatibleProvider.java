package io.aigw.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A default responder for {@link io.aigw.server.testing.TestUpstream} that answers like an
 * OpenAI-compatible host: it reads the request, echoes the model it was asked for, streams when
 * asked, sends usage in the stream only when {@code stream_options.include_usage} is true, and
 * encodes embeddings as floats or base64 as requested.
 */
final class OpenAiCompatibleProvider {
    static final float[] EMBEDDING = {0.5f, -1.25f, 3.0f};
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenAiCompatibleProvider() {}

    static Reply answer(RecordedRequest request) {
        try {
            JsonNode body = JSON.readTree(request.body());
            String model = body.path("model").asText();
            if (request.uri().endsWith("/chat/completions") && body.has("tools")) {
                return body.path("stream").asBoolean()
                        ? Reply.sse(OpenAiToolCallAnswers.streamEvents(model))
                        : Reply.json(200, OpenAiToolCallAnswers.plain(model));
            }
            if (request.uri().endsWith("/chat/completions")) {
                return body.path("stream").asBoolean() ? chatStream(model, includeUsage(body)) : chat(model);
            }
            if (request.uri().endsWith("/completions")) {
                return body.path("stream").asBoolean()
                        ? completionStream(model, includeUsage(body))
                        : completion(model);
            }
            if (request.uri().endsWith("/embeddings")) {
                return embeddings(
                        model, "base64".equals(body.path("encoding_format").asText()));
            }
            return Reply.json(
                    404,
                    "{\"error\":{\"message\":\"no route\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
        } catch (Exception e) {
            return Reply.json(
                    400,
                    "{\"error\":{\"message\":\"bad json\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
        }
    }

    private static boolean includeUsage(JsonNode body) {
        return body.path("stream_options").path("include_usage").asBoolean(false);
    }

    private static Reply chat(String model) {
        return Reply.json(
                200,
                "{\"id\":\"chatcmpl-abc\",\"object\":\"chat.completion\",\"created\":1700000000,"
                        + "\"model\":\"" + model
                        + "\",\"system_fingerprint\":null,\"choices\":[{\"index\":0,\"message\":"
                        + "{\"role\":\"assistant\",\"content\":\"Hello from " + model + "\",\"refusal\":null},"
                        + "\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4,\"total_tokens\":13}}");
    }

    private static Reply chatStream(String model, boolean usage) {
        String head = "{\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
                + model + "\",\"system_fingerprint\":null,";
        String tailNull = usage ? ",\"usage\":null}" : "}";
        List<String> events = new ArrayList<>();
        events.add(head
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]"
                + tailNull);
        for (String piece : new String[] {"Hel", "lo ", "there"}) {
            events.add(head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + piece
                    + "\"},\"logprobs\":null,\"finish_reason\":null}]" + tailNull);
        }
        events.add(head + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]"
                + tailNull);
        if (usage) {
            events.add(head
                    + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}");
        }
        return Reply.sse(events);
    }

    private static Reply completion(String model) {
        return Reply.json(
                200,
                "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1700000000,\"model\":\""
                        + model
                        + "\",\"choices\":[{\"text\":\" world\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"length\"}],"
                        + "\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":1,\"total_tokens\":3}}");
    }

    private static Reply completionStream(String model, boolean usage) {
        String head =
                "{\"id\":\"cmpl-s\",\"object\":\"text_completion\",\"created\":1700000000,\"model\":\"" + model + "\",";
        List<String> events = new ArrayList<>();
        events.add(head + "\"choices\":[{\"text\":\" wor\",\"index\":0,\"logprobs\":null,\"finish_reason\":null}]}");
        events.add(head + "\"choices\":[{\"text\":\"ld\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"stop\"}]}");
        if (usage) {
            events.add(head
                    + "\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":2,\"total_tokens\":4}}");
        }
        return Reply.sse(events);
    }

    private static Reply embeddings(String model, boolean base64) {
        String vector;
        if (base64) {
            ByteBuffer b = ByteBuffer.allocate(EMBEDDING.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : EMBEDDING) {
                b.putFloat(f);
            }
            vector = "\"" + Base64.getEncoder().encodeToString(b.array()) + "\"";
        } else {
            vector = "[0.5,-1.25,3.0]";
        }
        return Reply.json(
                200,
                "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":" + vector
                        + "}],\"model\":\"" + model + "\",\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}");
    }
}
