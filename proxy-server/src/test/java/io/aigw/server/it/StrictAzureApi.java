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
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mock of Azure OpenAI that rejects what the real service rejects (PROTOCOLS.md 5): a missing or
 * wrong {@code api-key} (or bearer token), both credentials at once, a deployments-style URL without
 * {@code api-version}, an unknown deployment. Answers carry Azure's content-filter annotations, and
 * streams start with the annotation-only chunk and have an asynchronous-filter chunk in the middle.
 * The deployment {@code filtered} ends with {@code finish_reason: content_filter}.
 */
final class StrictAzureApi {
    static final String KEY = "azure-provider-key";
    static final String TOKEN = "eyJ-entra-token";
    static final String API_VERSION = "2024-10-21";
    static final Set<String> DEPLOYMENTS = Set.of("gpt4o-prod", "embed-prod", "filtered");
    static final String PROMPT_ANNOTATION = "{\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\","
            + "\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{\"hate\":{\"filtered\":false,"
            + "\"severity\":\"safe\"},\"jailbreak\":{\"filtered\":false,\"detected\":false}}}]}";
    private static final String ASYNC_ANNOTATION = "{\"id\":\"\",\"object\":\"\",\"created\":0,\"model\":\"\","
            + "\"choices\":[{\"index\":0,\"finish_reason\":null,\"content_filter_results\":{\"violence\":{\"filtered\":false,"
            + "\"severity\":\"safe\"}},\"content_filter_offsets\":{\"check_offset\":0,\"start_offset\":0,\"end_offset\":5}}]}";
    private static final String FILTER_RESULTS = "{\"hate\":{\"filtered\":false,\"severity\":\"safe\"},"
            + "\"sexual\":{\"filtered\":false,\"severity\":\"safe\"},\"violence\":{\"filtered\":false,\"severity\":\"safe\"},"
            + "\"self_harm\":{\"filtered\":false,\"severity\":\"safe\"}}";
    private static final Pattern DEPLOYMENT_PATH =
            Pattern.compile("/openai/deployments/([^/?]+)(/[a-z/]+)\\?api-version=([^&]+)");
    private static final Pattern V1_PATH = Pattern.compile("/openai/v1(/[a-z/]+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private StrictAzureApi() {}

    static Reply answer(RecordedRequest r) {
        try {
            String apiKey = r.header("api-key");
            String authorization = r.header("authorization");
            boolean keyOk = KEY.equals(apiKey) && authorization == null;
            boolean tokenOk = apiKey == null && ("Bearer " + TOKEN).equals(authorization);
            if (!keyOk && !tokenOk) {
                return error(401, "401", "Access denied due to invalid subscription key or wrong API endpoint.");
            }
            JsonNode body = JSON.readTree(r.body());
            String deployment;
            String operation;
            Matcher d = DEPLOYMENT_PATH.matcher(r.uri());
            Matcher v1 = V1_PATH.matcher(r.uri());
            if (d.matches()) {
                if (!API_VERSION.equals(d.group(3))) {
                    return error(404, "404", "Resource not found");
                }
                deployment = d.group(1);
                operation = d.group(2);
            } else if (v1.matches()) {
                deployment = body.path("model").asText(); // v1 takes the deployment from the body
                operation = v1.group(1);
            } else if (r.uri().startsWith("/openai/deployments/") && !r.uri().contains("api-version=")) {
                return error(400, "BadRequest", "Missing required query parameter 'api-version'.");
            } else {
                return error(404, "404", "Resource not found");
            }
            if (!DEPLOYMENTS.contains(deployment)) {
                return error(404, "DeploymentNotFound", "The API deployment for this resource does not exist.");
            }
            return switch (operation) {
                case "/chat/completions" -> chat(deployment, body);
                case "/embeddings" -> embeddings(body);
                default -> error(404, "404", "Resource not found");
            };
        } catch (Exception e) {
            return error(400, "BadRequest", "bad json");
        }
    }

    private static Reply chat(String deployment, JsonNode body) {
        if (!body.path("messages").isArray() || body.get("messages").isEmpty()) {
            return error(400, "BadRequest", "'messages' is a required property");
        }
        boolean stream = body.path("stream").asBoolean(false);
        if (body.has("stream_options") && !stream) {
            return error(400, "BadRequest", "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
        }
        if (body.has("tools")) {
            if (!stream) {
                return Reply.json(200, OpenAiToolCallAnswers.plain("gpt-4o-2024-08-06"));
            }
            List<String> events = new ArrayList<>();
            events.add(PROMPT_ANNOTATION);
            events.addAll(OpenAiToolCallAnswers.streamEvents("gpt-4o-2024-08-06"));
            return Reply.sse(events);
        }
        boolean filtered = deployment.equals("filtered");
        String finish = filtered ? "content_filter" : "stop";
        String text = filtered ? "Here is" : "Hello from Azure";
        if (!stream) {
            return Reply.json(
                    200,
                    "{\"id\":\"chatcmpl-az1\",\"object\":\"chat.completion\",\"created\":1700000000,"
                            + "\"model\":\"gpt-4o-2024-08-06\",\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":"
                            + FILTER_RESULTS + "}],\"choices\":[{\"index\":0,\"finish_reason\":\"" + finish
                            + "\",\"logprobs\":null,"
                            + "\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\",\"refusal\":null},"
                            + "\"content_filter_results\":" + FILTER_RESULTS + "}],\"system_fingerprint\":\"fp_az\","
                            + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":4,\"total_tokens\":15}}",
                    Map.of("apim-request-id", "apim-1", "x-ms-region", "Sweden Central"));
        }
        List<String> events = new ArrayList<>();
        events.add(PROMPT_ANNOTATION);
        events.add(chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
        events.add(chunk("{\"content\":\"" + text.substring(0, 5) + "\"}", null));
        events.add(ASYNC_ANNOTATION);
        events.add(chunk("{\"content\":\"" + text.substring(5) + "\"}", null));
        events.add(chunk("{}", finish));
        if (body.path("stream_options").path("include_usage").asBoolean(false)) {
            events.add(
                    "{\"id\":\"chatcmpl-az2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                            + "\"model\":\"gpt-4o-2024-08-06\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":4,\"total_tokens\":15}}");
        }
        return Reply.sse(events);
    }

    private static String chunk(String delta, String finish) {
        return "{\"id\":\"chatcmpl-az2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-2024-08-06\","
                + "\"system_fingerprint\":\"fp_az\",\"choices\":[{\"index\":0,\"delta\":" + delta
                + ",\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"")
                + ",\"logprobs\":null,\"content_filter_results\":{}}]}";
    }

    private static Reply embeddings(JsonNode body) {
        if (!body.has("input")) {
            return error(400, "BadRequest", "'input' is a required property");
        }
        float[] vector = {0.25f, -0.5f};
        String encoded;
        if ("base64".equals(body.path("encoding_format").asText())) {
            ByteBuffer b = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : vector) {
                b.putFloat(f);
            }
            encoded = "\"" + Base64.getEncoder().encodeToString(b.array()) + "\"";
        } else {
            encoded = "[0.25,-0.5]";
        }
        return Reply.json(
                200,
                "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":" + encoded
                        + "}],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":2,\"total_tokens\":2}}");
    }

    /** Azure's own error shape: {@code code} is a string, there is no {@code type}. */
    private static Reply error(int status, String code, String message) {
        return Reply.json(status, "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}");
    }
}
