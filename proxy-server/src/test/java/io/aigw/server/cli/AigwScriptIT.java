package io.aigw.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The launcher itself, {@code scripts/aigw}, run as an operator would. The tests run before the
 * package phase has copied the libraries, so the script is given this JVM's class path through
 * {@code AIGW_CLASSPATH} (and so does not build); the JVM flags, the logging setup and the exit
 * codes are the script's own.
 */
class AigwScriptIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private record Result(int code, String out, String err) {}

    private static Result script(Map<String, String> env, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of(ROOT.resolve("scripts/aigw").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
        for (String name :
                List.of("AIGW_URL", "AIGW_ADMIN_KEY", "AIGW_MASTER_KEY", "AIGW_MASTER_KEY_FILE", "JAVA_OPTS")) {
            pb.environment().remove(name);
        }
        pb.environment().put("AIGW_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("aigw-out", ".txt");
        Path err = Files.createTempFile("aigw-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script finished");
            return new Result(
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static void delete(Path p) throws IOException {
        Files.deleteIfExists(p);
    }

    @Test
    void helpListsTheCommandsAndTheExitCodes() throws Exception {
        Result r = script(Map.of(), "--help");
        assertEquals(0, r.code(), r.err());
        for (String text : List.of("keys", "logs", "config", "secrets", "Exit codes:", "AIGW_ADMIN_KEY")) {
            assertTrue(r.out().contains(text), text + " in " + r.out());
        }
        assertEquals("", r.err());
    }

    @Test
    void configCheckOfTheShippedConfigAndExitCodes() throws Exception {
        Result ok = script(Map.of(), "config", "check", "conf/proxy.yaml");
        assertEquals(0, ok.code(), ok.err());
        assertEquals("conf/proxy.yaml: OK\n", ok.out());
        assertEquals("", ok.err(), "no log line on the CLI's output");

        Path badFile = Files.createTempFile("aigw-bad", ".yaml");
        try {
            Files.writeString(badFile, "server: {port: 99999}\n");
            Result bad = script(Map.of(), "config", "check", badFile.toString());
            assertEquals(1, bad.code(), bad.err());
            assertEquals(badFile + ": error: server.port: must be between 0 and 65535, got 99999\n", bad.out());
        } finally {
            delete(badFile);
        }

        Result usage = script(Map.of(), "keys", "list");
        assertEquals(2, usage.code());
        assertTrue(usage.err().contains("AIGW_ADMIN_KEY"), usage.err());

        Result down =
                script(Map.of("AIGW_ADMIN_KEY", "sk-test-admin-key", "AIGW_URL", "http://127.0.0.1:1"), "keys", "list");
        assertEquals(3, down.code(), down.err());
        assertTrue(!down.err().contains("sk-test-admin-key"), down.err());
    }
}
