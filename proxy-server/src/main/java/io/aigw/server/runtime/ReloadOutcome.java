package io.aigw.server.runtime;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * How one reload went: applied ({@code reloaded}), nothing to apply ({@code unchanged}), or refused
 * ({@code error} says why, one line, no secret; the old runtime stays).
 */
public record ReloadOutcome(
        String status,
        long version,
        List<String> changed,
        List<String> restartRequired,
        int providers,
        int models,
        String error) {

    public static final String RELOADED = "reloaded";
    public static final String UNCHANGED = "unchanged";
    public static final String FAILED = "failed";

    private static final JsonFactory JSON = new JsonFactory();

    /** Why a reload asked for while the server stops is refused. */
    public static final String STOPPING = "the server is stopping";

    public static ReloadOutcome failed(long version, String error) {
        return new ReloadOutcome(FAILED, version, List.of(), List.of(), 0, 0, error);
    }

    /** Refused because the server is stopping: nothing is wrong with the file. */
    public boolean stopping() {
        return STOPPING.equals(error);
    }

    public boolean ok() {
        return error == null;
    }

    /** The admin answer: {@code {"status","version","changed","restart_required","providers","models"}}. */
    public byte[] json() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("status", status);
            g.writeNumberField("version", version);
            strings(g, "changed", changed);
            strings(g, "restart_required", restartRequired);
            g.writeNumberField("providers", providers);
            g.writeNumberField("models", models);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /** The facts of the answer as one log line. */
    public String describe() {
        return "status=" + status + " version=" + version + " changed=" + changed + " restart_required="
                + restartRequired + " providers=" + providers + " models=" + models;
    }
}
