package io.aigw.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProxyConfig;
import io.aigw.server.dialect.Dialects;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aigw config check} and {@code aigw secrets ...}, offline. */
class ConfigAndSecretsCommandTest {
    private static final String SECRET = "sk-live-openai-cli-0123456789";

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml);
        return file;
    }

    private static String config(String apiKey) {
        return """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: [sk-test-client-key]}
                providers:
                  openai: {type: openai, base_url: "https://api.openai.com/v1", api_key: "%s"}
                models:
                  gpt-4o: {providers: {openai: {}}}
                """.formatted(apiKey);
    }

    @Test
    void configCheckSaysOkOrNamesTheErrorsPath() throws Exception {
        Path good = write("good.yaml", config("sk-plain-provider-key"));
        Path bad = write("bad.yaml", config("x") + "models:\n  m: {providers: {nope: {}}}\n");
        Path worse = write(
                "worse.yaml",
                config("sk-plain-provider-key")
                        .replace("models:\n  gpt-4o", "models:\n  m: {providers: {nope: {}}}\n  gpt-4o"));

        CliRun ok = CliRun.run(Map.of(), "config", "check", good.toString());
        assertEquals(0, ok.code(), ok.toString());
        assertEquals(good + ": OK\n", ok.out());

        CliRun notOk = CliRun.run(Map.of(), "config", "check", good.toString(), worse.toString());
        assertEquals(1, notOk.code(), notOk.toString());
        assertEquals(
                good + ": OK\n" + worse + ": error: models.m.providers.nope: unknown provider 'nope'\n", notOk.out());

        CliRun duplicate = CliRun.run(Map.of(), "config", "check", bad.toString());
        assertEquals(1, duplicate.code(), duplicate.toString());
        assertTrue(duplicate.out().startsWith(bad + ": error: "), duplicate.out());

        CliRun missing = CliRun.run(
                Map.of(), "config", "check", dir.resolve("missing.yaml").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.out().contains("cannot read: no such file"), missing.out());
        assertEquals(2, CliRun.run(Map.of(), "config", "check").code(), "FILE is required");
    }

    @Test
    void newMasterKeyIsBase64Of32RandomBytes() {
        CliRun a = CliRun.run(Map.of(), "secrets", "new-master-key");
        CliRun b = CliRun.run(Map.of(), "secrets", "new-master-key");
        assertEquals(0, a.code(), a.toString());
        assertEquals(32, Base64.getDecoder().decode(a.out().strip()).length);
        assertFalse(a.out().equals(b.out()));
    }

    /** encrypt's output, put in a config file, is what ConfigLoader and config check decrypt. */
    @Test
    void encryptedValuesAreWhatTheConfigLoaderDecrypts() throws Exception {
        String master = CliRun.run(Map.of(), "secrets", "new-master-key").out().strip();
        Map<String, String> env = Map.of("AIGW_MASTER_KEY", master);
        CliRun enc = CliRun.withStdin(env, SECRET + "\n", "secrets", "encrypt");
        assertEquals(0, enc.code(), enc.toString());
        String value = enc.out().strip();
        assertTrue(value.startsWith("enc:v1:"), value);
        assertEquals(1, enc.out().lines().count());
        assertFalse(enc.out().contains(SECRET));
        assertEquals("", enc.err());

        Path file = write("enc.yaml", config(value));
        ProxyConfig loaded = new ConfigLoader(Dialects.TYPES, env).load(file);
        assertEquals(SECRET, loaded.providers().get("openai").apiKey(), "the trailing newline is not part of it");

        CliRun ok = CliRun.run(env, "config", "check", file.toString());
        assertEquals(0, ok.code(), ok.toString());
        CliRun noKey = CliRun.run(Map.of(), "config", "check", file.toString());
        assertEquals(1, noKey.code(), noKey.toString());
        assertEquals(
                file + ": error: providers.openai.api_key: encrypted, but no master key"
                        + " (set AIGW_MASTER_KEY or AIGW_MASTER_KEY_FILE)\n",
                noKey.out());
        CliRun wrongKey = CliRun.run(
                Map.of(
                        "AIGW_MASTER_KEY",
                        CliRun.run(Map.of(), "secrets", "new-master-key").out().strip()),
                "config",
                "check",
                file.toString());
        assertEquals(1, wrongKey.code(), wrongKey.toString());
        assertEquals(
                file + ": error: providers.openai.api_key: cannot be decrypted with this master key"
                        + " (another key, or a changed value)\n",
                wrongKey.out());
        for (CliRun r : new CliRun[] {ok, noKey, wrongKey}) {
            assertFalse(
                    r.out().contains(SECRET)
                            || r.err().contains(SECRET)
                            || r.out().contains(master),
                    r.toString());
        }

        // A key file works the same; CRLF input loses its line end too.
        Path keyFile = write("master.key", master + "\n");
        CliRun fromFile = CliRun.withStdin(
                Map.of("AIGW_MASTER_KEY_FILE", keyFile.toString()), "other-secret\r\n", "secrets", "encrypt");
        assertEquals(0, fromFile.code(), fromFile.toString());
        Path second = write("enc2.yaml", config(fromFile.out().strip()));
        assertEquals(
                "other-secret",
                new ConfigLoader(Dialects.TYPES, env)
                        .load(second)
                        .providers()
                        .get("openai")
                        .apiKey());
    }

    @Test
    void encryptRefusesWithoutAKeyOrASecret() {
        CliRun noKey = CliRun.withStdin(Map.of(), SECRET, "secrets", "encrypt");
        assertEquals(2, noKey.code(), noKey.toString());
        assertTrue(noKey.err().contains("no master key: set AIGW_MASTER_KEY or AIGW_MASTER_KEY_FILE"), noKey.err());
        CliRun badKey = CliRun.withStdin(Map.of("AIGW_MASTER_KEY", "c2hvcnQ="), SECRET, "secrets", "encrypt");
        assertEquals(2, badKey.code(), badKey.toString());
        assertEquals("aigw: AIGW_MASTER_KEY must be 32 bytes, base64-encoded (it is 5)\n", badKey.err());
        String master = CliRun.run(Map.of(), "secrets", "new-master-key").out().strip();
        CliRun empty = CliRun.withStdin(Map.of("AIGW_MASTER_KEY", master), "\n", "secrets", "encrypt");
        assertEquals(2, empty.code(), empty.toString());
        assertEquals("aigw: nothing to encrypt: give the secret on stdin\n", empty.err());
        assertEquals(
                2,
                CliRun.withStdin(Map.of("AIGW_MASTER_KEY", master), SECRET, "secrets", "encrypt", SECRET)
                        .code(),
                "the secret is never an argument");
        for (CliRun r : new CliRun[] {noKey, badKey, empty}) {
            assertFalse(r.out().contains(SECRET) || r.err().contains(SECRET), r.toString());
        }
    }
}
