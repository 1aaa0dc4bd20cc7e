package io.aigw.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the {@code /admin/keys} API (built on another branch), speaking its contract on
 * 127.0.0.1: what the CLI sends is recorded, the answers have the contract's shapes. Any id
 * {@code boom} answers 500.
 */
final class FakeAdminKeysApi implements AutoCloseable {
    static final String ADMIN_KEY = "sk-test-admin-key-0123";
    private static final ObjectMapper JSON = new ObjectMapper();

    record Request(String method, String uri, String authorization, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, ObjectNode> keys = new ConcurrentHashMap<>();
    private final AtomicInteger seq = new AtomicInteger();
    private final HttpServer server;

    FakeAdminKeysApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A key object as the store would hold it, returned for the test to refer to. */
    ObjectNode add(String name) {
        String id = "key_" + seq.incrementAndGet();
        ObjectNode k = JSON.createObjectNode();
        k.put("object", "api_key");
        k.put("id", id);
        k.put("name", name);
        k.put("prefix", "sk-aigw-ab1" + seq.get());
        k.putArray("models");
        k.putNull("budget_usd");
        k.putNull("budget_period");
        k.putNull("expires_at");
        k.put("created_at", "2026-12-06T05:00:00Z");
        k.putNull("revoked_at");
        for (String f : List.of("rpm", "tpm", "max_parallel", "token_quota_daily", "token_quota_monthly")) {
            k.putNull(f);
        }
        k.putObject("metadata");
        keys.put(id, k);
        return k;
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String method = ex.getRequestMethod();
        String uri = ex.getRequestURI().getRawPath()
                + (ex.getRequestURI().getRawQuery() == null
                        ? ""
                        : "?" + ex.getRequestURI().getRawQuery());
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        requests.add(new Request(method, uri, auth, body));
        if (!("Bearer " + ADMIN_KEY).equals(auth)) {
            error(ex, 401, "invalid_api_key", null, "Invalid admin key.");
            return;
        }
        String path = ex.getRequestURI().getPath();
        String[] parts = path.split("/");
        // "", "admin", "keys", id?, "rotate"?
        if (parts.length < 3 || !"admin".equals(parts[1]) || !"keys".equals(parts[2])) {
            error(ex, 404, "not_found", null, "Unknown path.");
            return;
        }
        if (parts.length == 3) {
            if ("POST".equals(method)) {
                create(ex, JSON.readTree(body));
            } else {
                list(ex);
            }
            return;
        }
        String id = parts[3];
        if ("boom".equals(id)) {
            error(ex, 500, "internal_error", null, "The key store did not answer.");
            return;
        }
        ObjectNode k = keys.get(id);
        if (k == null) {
            error(ex, 404, "key_not_found", null, "No key with id '" + id + "'.");
            return;
        }
        if (parts.length == 5 && "rotate".equals(parts[4]) && "POST".equals(method)) {
            ObjectNode answer = k.deepCopy();
            answer.put("key", "sk-aigw-rotated-secret-" + id);
            send(ex, 200, answer);
        } else if ("DELETE".equals(method)) {
            k.put("revoked_at", "2026-12-06T06:00:00Z");
            send(ex, 200, k);
        } else if ("GET".equals(method)) {
            ObjectNode answer = k.deepCopy();
            ObjectNode spend = answer.putObject("spend");
            spend.put("period", "monthly");
            spend.put("period_start", "2026-12-01T00:00:00Z");
            spend.put("usd", 1.2345);
            spend.put("input_tokens", 1000);
            spend.put("output_tokens", 250);
            spend.put("requests", 12);
            send(ex, 200, answer);
        } else {
            error(ex, 405, "method_not_allowed", null, "Method not allowed.");
        }
    }

    private void create(HttpExchange ex, JsonNode req) throws IOException {
        if (!req.path("name").isTextual() || req.path("name").asText().isBlank()) {
            error(ex, 400, "invalid_value", "name", "name: required, a non-empty string.");
            return;
        }
        if (req.has("budget_period")
                && !List.of("daily", "weekly", "monthly", "total")
                        .contains(req.path("budget_period").asText())) {
            error(
                    ex,
                    400,
                    "invalid_value",
                    "budget_period",
                    "budget_period: expected daily, weekly, monthly or total.");
            return;
        }
        ObjectNode k = add(req.path("name").asText());
        for (String f : List.of(
                "models",
                "budget_usd",
                "budget_period",
                "expires_at",
                "rpm",
                "tpm",
                "max_parallel",
                "token_quota_daily",
                "token_quota_monthly",
                "metadata")) {
            if (req.has(f)) {
                k.set(f, req.get(f));
            }
        }
        ObjectNode answer = k.deepCopy();
        answer.put("key", "sk-aigw-new-secret-" + k.path("id").asText());
        send(ex, 201, answer);
    }

    private void list(HttpExchange ex) throws IOException {
        String q = ex.getRequestURI().getQuery();
        int limit = 100;
        String name = null;
        if (q != null) {
            for (String p : q.split("&")) {
                String[] kv = p.split("=", 2);
                if (kv[0].equals("limit")) {
                    limit = Integer.parseInt(kv[1]);
                } else if (kv[0].equals("name")) {
                    name = kv[1];
                }
            }
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("object", "list");
        var data = answer.putArray("data");
        String lastId = null;
        int total = 0;
        for (ObjectNode k : keys.values().stream()
                .sorted((a, b) -> b.path("id").asText().compareTo(a.path("id").asText()))
                .toList()) {
            if (name != null && !k.path("name").asText().contains(name)) {
                continue;
            }
            total++;
            if (data.size() < limit) {
                data.add(k);
                lastId = k.path("id").asText();
            }
        }
        answer.put("has_more", total > data.size());
        answer.put("last_id", lastId);
        send(ex, 200, answer);
    }

    private static void error(HttpExchange ex, int status, String code, String param, String message)
            throws IOException {
        ObjectNode e = JSON.createObjectNode();
        ObjectNode err = e.putObject("error");
        err.put("message", message);
        err.put("type", status >= 500 ? "server_error" : "invalid_request_error");
        err.put("param", param);
        err.put("code", code);
        send(ex, status, e);
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
