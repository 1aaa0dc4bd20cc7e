package io.aigw.adapters.openai;

import static com.fasterxml.jackson.core.JsonToken.END_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NULL;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;
import static com.fasterxml.jackson.core.JsonToken.VALUE_TRUE;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * The single streaming pass behind {@link RequestScan#scan}. Syntax errors win over semantic ones
 * (the whole document is read before a semantic problem is reported, as OpenAI does); among semantic
 * problems the first in document order is reported.
 */
final class RequestScanner {
    private static final int MODEL = 1, STREAM = 2, STREAM_OPTIONS = 4, MESSAGES = 8, PROMPT = 16, INPUT = 32;

    private final ApiEndpoint endpoint;
    private int seen;
    private ApiError problem;
    private boolean requiredPresent;

    String model;
    boolean stream;
    boolean includeUsage;
    int modelStart = -1, modelEnd = -1;
    int streamOptionsStart = -1;
    boolean streamOptionsNull;
    boolean streamOptionsEmpty = true;
    int includeUsageStart = -1, includeUsageEnd = -1;
    int rootEnd = -1;
    long maxTokens = -1;
    double temperature = Double.NaN;
    boolean rootEmpty = true;

    private RequestScanner(ApiEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    static RequestScan scan(ByteBuf body, ApiEndpoint endpoint) {
        int bad = Utf8Validator.firstInvalid(body);
        if (bad >= 0) {
            throw invalidJson("the body is not valid UTF-8 (invalid byte sequence at byte " + bad + ")");
        }
        RequestScanner s = new RequestScanner(endpoint);
        try (JsonParser p = OpenAiJson.parser(OpenAiJson.REQUESTS, body)) {
            s.root(p);
        } catch (JsonProcessingException e) {
            throw BadJson.exception(e);
        } catch (IOException e) {
            throw invalidJson("the body could not be read");
        }
        s.validate();
        return new RequestScan(s, body.readableBytes());
    }

    private void root(JsonParser p) throws IOException {
        // Byte offsets only mean something for the UTF-8 parser; Jackson picks UTF-16/32 for bodies
        // that start with NUL bytes, which valid UTF-8 JSON never does.
        if (!(p instanceof UTF8StreamJsonParser)) {
            throw invalidJson("the body must be UTF-8 encoded JSON");
        }
        JsonToken t = p.nextToken();
        if (t == null) {
            throw invalidJson("the body is empty");
        }
        if (t != START_OBJECT) {
            p.skipChildren();
            expectEnd(p);
            throw new ApiException(
                    ApiError.badRequest("invalid_type", null, "The request body must be a JSON object."));
        }
        while (p.nextToken() == FIELD_NAME) {
            rootEmpty = false;
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "model" -> model(p, v);
                case "stream" -> stream(p, v);
                case "stream_options" -> streamOptions(p, v);
                case "messages" -> required(p, v, name, MESSAGES);
                case "prompt" -> required(p, v, name, PROMPT);
                case "input" -> required(p, v, name, INPUT);
                case "max_tokens" -> maxTokens = longOr(p, v, -1);
                // max_output_tokens: the Responses API's name. The value is read either way, so that
                // an object or array there is skipped whole.
                case "max_completion_tokens", "max_output_tokens" -> {
                    long n = longOr(p, v, -1);
                    maxTokens = maxTokens >= 0 ? maxTokens : n;
                }
                case "temperature" -> temperature = doubleOr(p, v);
                default -> p.skipChildren();
            }
        }
        rootEnd = start(p); // Jackson only leaves the loop on the root's END_OBJECT
        expectEnd(p);
    }

    /**
     * An integer value, or {@code otherwise} for anything else (skipped): read for traces and metrics
     * only, so an odd value is the provider's to judge, never a 400 of ours.
     */
    private static long longOr(JsonParser p, JsonToken v, long otherwise) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                || v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.LONG) {
            return p.getLongValue();
        }
        p.skipChildren();
        return otherwise;
    }

    private static double doubleOr(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getValueAsDouble(Double.NaN);
        }
        p.skipChildren();
        return Double.NaN;
    }

    private static void expectEnd(JsonParser p) throws IOException {
        if (p.nextToken() != null) {
            throw invalidJson("unexpected data after the top-level JSON value");
        }
    }

    private void model(JsonParser p, JsonToken v) throws IOException {
        if (!firstTime(p, MODEL, "model")) {
            return;
        }
        if (v != VALUE_STRING) {
            problem("invalid_type", "model", "model must be a string.");
            p.skipChildren();
            return;
        }
        modelStart = start(p);
        model = p.getText();
        modelEnd = (int) p.currentLocation().getByteOffset(); // just past the closing quote
        if (model.isEmpty()) {
            problem("invalid_value", "model", "model must not be empty.");
        }
    }

    private void stream(JsonParser p, JsonToken v) throws IOException {
        if (!firstTime(p, STREAM, "stream")) {
            return;
        }
        if (v.isBoolean() || v == VALUE_NULL) {
            stream = v == VALUE_TRUE;
            if (stream && !endpoint.streamable()) {
                problem("invalid_value", "stream", "This endpoint does not support stream=true.");
            }
        } else {
            problem("invalid_type", "stream", "stream must be a boolean.");
            p.skipChildren();
        }
    }

    private void streamOptions(JsonParser p, JsonToken v) throws IOException {
        if (!firstTime(p, STREAM_OPTIONS, "stream_options")) {
            return;
        }
        streamOptionsStart = start(p);
        if (v == VALUE_NULL) {
            streamOptionsNull = true;
            return;
        }
        if (v != START_OBJECT) {
            problem("invalid_type", "stream_options", "stream_options must be an object.");
            p.skipChildren();
            return;
        }
        while (p.nextToken() == FIELD_NAME) {
            streamOptionsEmpty = false;
            boolean ours = "include_usage".equals(p.currentName());
            JsonToken iv = p.nextToken();
            if (!ours) {
                p.skipChildren();
            } else if (includeUsageStart >= 0) {
                problem("invalid_value", "stream_options.include_usage", "duplicate key 'include_usage'");
                p.skipChildren();
            } else if (iv.isBoolean() || iv == VALUE_NULL) {
                includeUsage = iv == VALUE_TRUE;
                includeUsageStart = start(p);
                includeUsageEnd = includeUsageStart + (iv == JsonToken.VALUE_FALSE ? 5 : 4); // literal length
            } else {
                problem(
                        "invalid_type",
                        "stream_options.include_usage",
                        "stream_options.include_usage must be a boolean.");
                p.skipChildren();
            }
        }
    }

    private void required(JsonParser p, JsonToken v, String name, int bit) throws IOException {
        if (!firstTime(p, bit, name)) {
            return;
        }
        if (!name.equals(endpoint.requiredField())) {
            p.skipChildren();
            return;
        }
        requiredPresent = true;
        if (bit != MESSAGES) {
            p.skipChildren();
        } else if (v != START_ARRAY) {
            problem("invalid_type", name, "messages must be an array.");
            p.skipChildren();
        } else if (p.nextToken() == END_ARRAY) {
            problem("invalid_value", name, "messages must be a non-empty array.");
        } else {
            do {
                p.skipChildren();
            } while (p.nextToken() != END_ARRAY);
        }
    }

    /** Records the key; a repeat is reported (a second "model" could be read differently upstream). */
    private boolean firstTime(JsonParser p, int bit, String name) throws IOException {
        if ((seen & bit) == 0) {
            seen |= bit;
            return true;
        }
        problem("invalid_value", name, "duplicate key '" + name + "'");
        p.skipChildren();
        return false;
    }

    private void validate() {
        if (problem != null) {
            throw new ApiException(problem);
        }
        if ((seen & MODEL) == 0) {
            throw new ApiException(
                    ApiError.badRequest("missing_required_parameter", "model", "you must provide a model parameter"));
        }
        if (!requiredPresent) {
            String field = endpoint.requiredField();
            throw new ApiException(ApiError.badRequest(
                    "missing_required_parameter", field, "Missing required parameter: '" + field + "'."));
        }
    }

    private void problem(String code, String param, String message) {
        if (problem == null) {
            problem = ApiError.badRequest(code, param, message);
        }
    }

    private static int start(JsonParser p) {
        return (int) p.currentTokenLocation().getByteOffset();
    }

    private static ApiException invalidJson(String reason) {
        return BadJson.exception(reason);
    }
}
