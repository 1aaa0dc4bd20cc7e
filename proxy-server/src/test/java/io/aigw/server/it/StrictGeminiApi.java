package io.aigw.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mock of Google's Gemini API that rejects what the real one rejects: a missing or wrong
 * {@code x-goog-api-key} (or an Authorization header), unknown top-level or {@code generationConfig}
 * keys, user and model turns that do not alternate, an empty turn, a {@code functionResponse}
 * without a name or an object response, function responses that do not answer the calls of the
 * turn before, and a function-call turn that does not echo the {@code thoughtSignature} it was sent
 * (as Gemini 3 does). Valid requests get function calls (when tools are offered and the last turn
 * is not a function response), or a text answer; as JSON, or as {@code alt=sse} events framed with
 * CRLF, as Google sends them. {@code :batchEmbedContents} answers one vector per request.
 */
final class StrictGeminiApi {
    static final String KEY = "AIza-provider-key";
    /** The signature sent with the first function call; base64 with '+', '/' and padding on purpose. */
    static final String SIGNATURE = "c2lnLWEr/w==";

    static final List<Float> VECTOR = List.of(0.5f, -0.25f, 0.125f, 3.0f);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATH = Pattern.compile(
            "/v1beta/models/([^/:?]+):(generateContent|streamGenerateContent\\?alt=sse|batchEmbedContents)");
    private static final Set<String> TOP_LEVEL = Set.of(
            "contents",
            "systemInstruction",
            "tools",
            "toolConfig",
            "generationConfig",
            "safetySettings",
            "cachedContent");
    private static final Set<String> GENERATION_CONFIG = Set.of(
            "temperature",
            "topP",
            "topK",
            "maxOutputTokens",
            "stopSequences",
            "candidateCount",
            "seed",
            "presencePenalty",
            "frequencyPenalty",
            "responseMimeType",
            "responseSchema",
            "responseLogprobs",
            "logprobs",
            "thinkingConfig",
            "responseModalities");
    private static final Set<String> PART_DATA =
            Set.of("text", "inlineData", "fileData", "functionCall", "functionResponse");

    private StrictGeminiApi() {}

    static Reply answer(RecordedRequest r) {
        try {
            Matcher m = PATH.matcher(r.uri());
            if (!m.matches()) {
                return error(404, "NOT_FOUND", "Requested entity was not found: " + r.uri());
            }
            String key = r.header("x-goog-api-key");
            if (key == null || r.header("authorization") != null) {
                return error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.");
            }
            if (!KEY.equals(key)) {
                return error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.");
            }
            String model = m.group(1);
            JsonNode body = JSON.readTree(r.body());
            if (m.group(2).equals("batchEmbedContents")) {
                return embed(model, body);
            }
            String problem = validate(body);
            if (problem != null) {
                return error(400, "INVALID_ARGUMENT", problem);
            }
            if (model.equals("overloaded")) {
                return error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
            }
            if (model.equals("exhausted")) {
                return error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).");
            }
            boolean stream = m.group(2).startsWith("stream");
            if (model.equals("broken") && stream) { // Gemini reports a failure after the 200 as an error event
                return Reply.sseRaw(List.of(
                        event("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]}}]}"),
                        event("{\"error\":{\"code\":503,\"message\":\"The model is overloaded. Please try again"
                                + " later.\",\"status\":\"UNAVAILABLE\"}}")));
            }
            JsonNode contents = body.get("contents");
            JsonNode lastParts = contents.get(contents.size() - 1).get("parts");
            boolean answersCalls = lastParts.get(0).has("functionResponse");
            if (body.has("tools") && !answersCalls) {
                return calls(model, stream);
            }
            boolean cut = body.path("generationConfig").path("maxOutputTokens").asInt(Integer.MAX_VALUE) < 5;
            return text(model, stream, answersCalls ? "It is sunny in Paris." : cut ? "Hel" : "Hello there", cut);
        } catch (Exception e) {
            return error(400, "INVALID_ARGUMENT", "Invalid JSON payload received. " + e.getMessage());
        }
    }

    private static String validate(JsonNode body) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP_LEVEL.contains(f)) {
                return "Invalid JSON payload received. Unknown name \"" + f + "\": Cannot find field.";
            }
        }
        for (Iterator<String> it = body.path("generationConfig").fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!GENERATION_CONFIG.contains(f)) {
                return "Invalid JSON payload received. Unknown name \"" + f + "\" at 'generation_config'.";
            }
        }
        JsonNode contents = body.path("contents");
        if (!contents.isArray() || contents.isEmpty()) {
            return "* GenerateContentRequest.contents: contents is not specified";
        }
        String expected = "user";
        int openCalls = 0;
        for (int i = 0; i < contents.size(); i++) {
            JsonNode c = contents.get(i);
            String role = c.path("role").asText();
            if (!role.equals(expected)) {
                return "Please ensure that multiturn requests alternate between user and model (contents[" + i + "] is "
                        + role + ").";
            }
            JsonNode parts = c.path("parts");
            if (!parts.isArray() || parts.isEmpty()) {
                return "* GenerateContentRequest.contents[" + i + "].parts: contents.parts must not be empty.";
            }
            int calls = 0, responses = 0;
            for (JsonNode p : parts) {
                int data = 0;
                for (String d : PART_DATA) {
                    data += p.has(d) ? 1 : 0;
                }
                if (data != 1) {
                    return "* GenerateContentRequest.contents[" + i + "].parts: exactly one data field per part";
                }
                if (p.has("functionCall")) {
                    if (!role.equals("model")
                            || !p.path("functionCall").path("name").isTextual()) {
                        return "* functionCall must be a named part of a model turn";
                    }
                    if (calls == 0
                            && !SIGNATURE.equals(p.path("thoughtSignature").asText(null))) {
                        return "Function call is missing a thought_signature in functionCall parts. This is required"
                                + " for tools to work correctly (contents[" + i + "]).";
                    }
                    calls++;
                }
                if (p.has("functionResponse")) {
                    JsonNode fr = p.get("functionResponse");
                    if (!role.equals("user")
                            || fr.path("name").asText("").isEmpty()
                            || !fr.path("response").isObject()) {
                        return "* GenerateContentRequest.contents[" + i
                                + "].parts.function_response.name: Name cannot be empty.";
                    }
                    responses++;
                }
                if (p.has("text") && !p.get("text").isTextual()) {
                    return "* text must be a string";
                }
            }
            if (responses != openCalls) {
                return "Please ensure that the number of function response parts is equal to the number of function"
                        + " call parts of the function call turn.";
            }
            openCalls = calls;
            expected = role.equals("user") ? "model" : "user";
        }
        return null;
    }

    private static final String USAGE = "\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":4,"
            + "\"thoughtsTokenCount\":3,\"cachedContentTokenCount\":5,\"totalTokenCount\":17}";

    private static Reply text(String model, boolean stream, String text, boolean cut) {
        String finish = cut ? "MAX_TOKENS" : "STOP";
        if (!stream) {
            return Reply.json(
                    200,
                    "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"" + text
                            + "\"}]},\"finishReason\":\"" + finish + "\",\"index\":0}]," + USAGE
                            + ",\"modelVersion\":\"" + model + "\",\"responseId\":\"r1\"}");
        }
        int half = Math.min(3, text.length());
        return Reply.sseRaw(List.of(
                event("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\""
                        + text.substring(0, half) + "\"}]},\"index\":0}],\"modelVersion\":\"" + model + "\"}"),
                event("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\""
                        + text.substring(half) + "\"}]},\"finishReason\":\"" + finish + "\",\"index\":0}]," + USAGE
                        + ",\"modelVersion\":\"" + model + "\"}")));
    }

    private static Reply calls(String model, boolean stream) {
        String parts = "[{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}},"
                + "\"thoughtSignature\":\"" + SIGNATURE + "\"},{\"functionCall\":{\"name\":\"get_time\",\"args\":{}}}]";
        String usage = "\"usageMetadata\":{\"promptTokenCount\":20,\"candidatesTokenCount\":15,\"totalTokenCount\":35}";
        if (!stream) {
            return Reply.json(
                    200,
                    "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":" + parts
                            + "},\"finishReason\":\"STOP\",\"index\":0}]," + usage + ",\"modelVersion\":\"" + model
                            + "\"}");
        }
        return Reply.sseRaw(List.of(
                event("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Checking.\"}]}}],"
                        + "\"modelVersion\":\"" + model + "\"}"),
                event("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":" + parts
                        + "},\"finishReason\":\"STOP\",\"index\":0}]," + usage + ",\"modelVersion\":\"" + model
                        + "\"}")));
    }

    private static Reply embed(String model, JsonNode body) {
        JsonNode requests = body.path("requests");
        if (body.size() != 1 || !requests.isArray() || requests.isEmpty()) {
            return error(400, "INVALID_ARGUMENT", "* BatchEmbedContentsRequest.requests: requests is not specified");
        }
        StringBuilder s = new StringBuilder("{\"embeddings\":[");
        for (int i = 0; i < requests.size(); i++) {
            JsonNode q = requests.get(i);
            if (!("models/" + model).equals(q.path("model").asText())
                    || !q.path("content").path("parts").path(0).path("text").isTextual()) {
                return error(
                        400,
                        "INVALID_ARGUMENT",
                        "* BatchEmbedContentsRequest.requests[" + i
                                + "]: model must match the request path and content must hold text");
            }
            s.append(i == 0 ? "" : ",").append("{\"values\":[0.5,-0.25,0.125,3.0]}");
        }
        return Reply.json(200, s.append("]}").toString());
    }

    private static String event(String data) {
        return "data: " + data + "\r\n\r\n";
    }

    private static Reply error(int status, String googleStatus, String message) {
        return Reply.json(
                status,
                "{\"error\":{\"code\":" + status + ",\"message\":\"" + message.replace("\"", "'") + "\",\"status\":\""
                        + googleStatus + "\"}}");
    }
}
