package io.aigw.server.endpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.ProxyConfig.ModelRoute;
import io.aigw.core.error.ApiError;
import io.aigw.core.keys.KeyPrincipal;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}} from the configured models, in OpenAI's
 * {@code Model} shape with {@code owned_by} the first provider (wildcard routes are not listed). The config never changes while the
 * server runs, so every answer is rendered once at start.
 */
public final class ModelsEndpoint implements Endpoint {
    public static final String LIST_PATH = "/v1/models";
    public static final String ITEM_PREFIX = "/v1/models/";
    private static final JsonFactory JSON = new JsonFactory();

    private final byte[] list;
    /** Each listed model's rendering, in config order (a key with a model list gets a subset). */
    private final Map<String, byte[]> items = new LinkedHashMap<>();

    public ModelsEndpoint(ProxyConfig config, long createdEpochSeconds) {
        try {
            for (ModelRoute route : config.models().values()) {
                if (route.isWildcard()) {
                    continue; // "openrouter/*" is a family of models, not one to list
                }
                items.put(route.name(), render(route, createdEpochSeconds));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.list = list(null);
    }

    /** The list of the models {@code principal} may use (every model for null). */
    private byte[] list(KeyPrincipal principal) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("{\"object\":\"list\",\"data\":[".getBytes(StandardCharsets.US_ASCII));
        boolean first = true;
        for (Map.Entry<String, byte[]> e : items.entrySet()) {
            if (principal == null || principal.key().settings().allowsModel(e.getKey())) {
                if (!first) {
                    out.write(',');
                }
                out.writeBytes(e.getValue());
                first = false;
            }
        }
        out.writeBytes("]}".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        request.release();
        String path = exchange.path();
        KeyPrincipal principal = exchange.principal();
        boolean restricted =
                principal != null && !principal.key().settings().models().isEmpty();
        if (path.equals(LIST_PATH)) {
            Responses.sendJson(ctx, 200, restricted ? list(principal) : list);
            return;
        }
        String id = path.substring(ITEM_PREFIX.length());
        byte[] item = items.get(id);
        if (item != null && restricted && !principal.key().settings().allowsModel(id)) {
            item = null; // a model the key may not use is not there for it
        }
        if (item == null) {
            Responses.sendError(ctx, ApiError.modelNotFound(id));
        } else {
            Responses.sendJson(ctx, 200, item);
        }
    }

    private static byte[] render(ModelRoute route, long created) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writeModel(g, route, created);
        }
        return out.toByteArray();
    }

    private static void writeModel(JsonGenerator g, ModelRoute route, long created) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", route.name());
        g.writeStringField("object", "model");
        g.writeNumberField("created", created);
        g.writeStringField("owned_by", route.deployments().get(0).provider());
        g.writeEndObject();
    }
}
