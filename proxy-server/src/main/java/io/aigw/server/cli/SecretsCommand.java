package io.aigw.server.cli;

import io.aigw.core.secret.MasterKey;
import io.aigw.core.secret.SecretCipher;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code aigw secrets ...}: {@code enc:v1:} values for the configuration file. */
@Command(
        name = "secrets",
        description = "Encrypt config values (enc:v1:) under the master key.",
        mixinStandardHelpOptions = true,
        subcommands = {SecretsCommand.Encrypt.class, SecretsCommand.NewMasterKey.class})
final class SecretsCommand {

    @Command(
            name = "encrypt",
            description = "Read a secret from stdin (never from an argument: it would show in ps and shell history)"
                    + " and print its enc:v1: value, under the key in AIGW_MASTER_KEY or AIGW_MASTER_KEY_FILE."
                    + " One trailing newline is dropped. On a terminal the secret is not echoed.",
            mixinStandardHelpOptions = true)
    static final class Encrypt implements Callable<Integer> {
        private final CliContext ctx;

        Encrypt(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() throws Exception {
            MasterKey key;
            try {
                key = MasterKey.fromEnv(ctx.env());
            } catch (MasterKey.InvalidKeyException e) {
                throw new CliFailure(AigwCli.USAGE, e.getMessage());
            }
            if (key == null) {
                throw new CliFailure(
                        AigwCli.USAGE,
                        "no master key: set AIGW_MASTER_KEY or AIGW_MASTER_KEY_FILE (`aigw secrets new-master-key` makes one)");
            }
            String secret = read();
            if (secret.isEmpty()) {
                throw new CliFailure(AigwCli.USAGE, "nothing to encrypt: give the secret on stdin");
            }
            ctx.out().println(SecretCipher.encrypt(key, secret));
            return AigwCli.OK;
        }

        private String read() throws IOException {
            Console console = ctx.interactive() ? System.console() : null;
            if (console != null) {
                char[] typed = console.readPassword("Secret to encrypt (not shown): ");
                return typed == null ? "" : new String(typed);
            }
            String text = new String(ctx.in().readAllBytes(), StandardCharsets.UTF_8);
            if (text.endsWith("\r\n")) {
                return text.substring(0, text.length() - 2);
            }
            return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        }
    }

    @Command(
            name = "new-master-key",
            description = "Print a fresh random master key (base64 of 32 bytes) for AIGW_MASTER_KEY.",
            mixinStandardHelpOptions = true)
    static final class NewMasterKey implements Callable<Integer> {
        private final CliContext ctx;

        NewMasterKey(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            ctx.out().println(MasterKey.generateBase64());
            return AigwCli.OK;
        }
    }
}
