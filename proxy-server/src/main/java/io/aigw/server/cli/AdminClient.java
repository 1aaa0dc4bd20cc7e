package io.aigw.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The admin API over HTTP, one blocking call at a time (a command line has nothing else to do).
 * A 4xx becomes exit code 1 with the server's {@code error.message}; a 5xx, a refused connection or
 * a timeout exit code 3. The admin key goes in the {@code Authorization} header and nowhere else.
 */
final class AdminClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final String adminKey;
    private final HttpClient http;

    AdminClient(URI base, String adminKey) {
        this.base = base;
        this.adminKey = adminKey;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** A 2xx answer: its status, its body as sent and as JSON. */
    record Answer(int status, String body, JsonNode json) {}

    /** A non-2xx answer, kept so {@code --json} can still print the server's body. */
    static final class Refused extends Exception {
        final CliFailure failure;
        final String body;

        Refused(CliFailure failure, String body) {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
            this.body = body;
        }
    }

    Answer get(String path) throws Refused, CliFailure, InterruptedException {
        return send("GET", path, null);
    }

    Answer send(String method, String path, JsonNode body) throws Refused, CliFailure, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).header("Accept", "application/json");
        try {
            b.header("Authorization", "Bearer " + adminKey);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(AigwCli.USAGE, "AIGW_ADMIN_KEY is not a valid header value");
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        HttpResponse<String> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw new CliFailure(AigwCli.UNREACHABLE, "cannot connect to " + base + ": timed out");
        } catch (HttpTimeoutException e) {
            throw new CliFailure(AigwCli.UNREACHABLE, base + " did not answer within " + TIMEOUT.toSeconds() + " s");
        } catch (ConnectException e) {
            throw new CliFailure(AigwCli.UNREACHABLE, "cannot connect to " + base + ": connection refused");
        } catch (IOException e) {
            throw new CliFailure(
                    AigwCli.UNREACHABLE,
                    "cannot talk to " + base + ": "
                            + (e.getMessage() != null
                                    ? e.getMessage()
                                    : e.getClass().getSimpleName()));
        }
        int status = response.statusCode();
        String text = response.body();
        JsonNode json = parse(text);
        if (status >= 200 && status < 300) {
            if (json == null) {
                throw new CliFailure(AigwCli.UNREACHABLE, "HTTP " + status + " from " + base + " is not JSON");
            }
            return new Answer(status, text, json);
        }
        String message = json != null && json.path("error").path("message").isTextual()
                ? json.path("error").path("message").asText()
                : "no error message";
        throw new Refused(
                new CliFailure(
                        status >= 500 ? AigwCli.UNREACHABLE : AigwCli.REFUSED,
                        "HTTP " + status + ": " + oneLine(message)),
                text);
    }

    /** {@code ?a=1&b=2} of the non-null values, percent-encoded; empty when all are null. */
    static String query(Map<String, ?> params) {
        StringBuilder q = new StringBuilder();
        for (Map.Entry<String, ?> p : params.entrySet()) {
            if (p.getValue() == null) {
                continue;
            }
            q.append(q.length() == 0 ? '?' : '&')
                    .append(p.getKey())
                    .append('=')
                    .append(encode(String.valueOf(p.getValue())));
        }
        return q.toString();
    }

    /** One path segment or query value, percent-encoded. */
    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode parse(String text) {
        try {
            return text == null || text.isBlank() ? null : JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
