package io.aigw.server.runtime;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.aigw.core.config.ProxyConfig;
import io.aigw.server.endpoint.Endpoint;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /admin/config}: facts about the running config for the admin console, never its
 * content (no key, URL or setting): the snapshot's version and when it was built, the file it came
 * from, whether a reload can read it (and whether the file is watched), the last reload's outcome
 * and how many providers and models are in effect. Everything is in memory, so it answers on the loop.
 */
public final class ConfigFactsEndpoint implements Endpoint {
    public static final String PATH = "/admin/config";

    private static final JsonFactory JSON = new JsonFactory();

    private final ConfigReloader reloader;

    public ConfigFactsEndpoint(ConfigReloader reloader) {
        this.reloader = reloader;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        request.release();
        Responses.sendJson(ctx, 200, json(reloader));
    }

    static byte[] json(ConfigReloader reloader) {
        RuntimeSnapshot running = reloader.get();
        ProxyConfig config = running.config();
        ConfigSource source = reloader.source();
        ConfigReloader.Attempt last = reloader.lastAttempt();
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("version", running.version());
            time(g, "loaded_at", reloader.loadedAt());
            g.writeStringField(
                    "file",
                    source == null ? null : source.file().toAbsolutePath().toString());
            g.writeBooleanField("reload_available", reloader.available());
            // Whether the watch runs, not just the setting: it may have failed to start (logged).
            g.writeBooleanField("config_watch", reloader.watched());
            g.writeNumberField("providers", config.providers().size());
            g.writeNumberField("models", config.models().size());
            if (last == null) {
                g.writeNullField("last_reload");
            } else {
                ReloadOutcome o = last.outcome();
                g.writeObjectFieldStart("last_reload");
                time(g, "at", last.at());
                g.writeStringField("status", o.status());
                g.writeStringField("error", o.error());
                strings(g, "changed", o.changed());
                strings(g, "restart_required", o.restartRequired());
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void time(JsonGenerator g, String name, Instant at) throws IOException {
        g.writeStringField(name, at == null ? null : at.toString());
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }
}
