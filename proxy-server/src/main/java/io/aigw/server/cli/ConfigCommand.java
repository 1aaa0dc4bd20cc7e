package io.aigw.server.cli;

import io.aigw.core.config.ConfigException;
import io.aigw.core.config.ConfigLoader;
import io.aigw.server.dialect.Dialects;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code aigw config check FILE}: the start-up's config validation, offline. */
@Command(
        name = "config",
        description = "Work with configuration files.",
        mixinStandardHelpOptions = true,
        subcommands = {ConfigCommand.Check.class})
final class ConfigCommand {

    @Command(
            name = "check",
            description = "Load each FILE as start-up would (same environment: ${VAR} substitution, PROXY_* overrides,"
                    + " enc:v1: values with the master key) and print OK or the error naming its key path."
                    + " Exit 0 when all are valid, 1 otherwise.",
            mixinStandardHelpOptions = true)
    static final class Check implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(paramLabel = "FILE", arity = "1..*", description = "A proxy.yaml to check.")
        List<Path> files;

        Check(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            int status = AigwCli.OK;
            for (Path file : files) {
                try {
                    new ConfigLoader(Dialects.TYPES, ctx.env()).load(file);
                    ctx.out().println(file + ": OK");
                } catch (ConfigException e) {
                    // The loader's messages name the key path and never hold a secret.
                    ctx.out().println(file + ": error: " + e.getMessage());
                    status = AigwCli.REFUSED;
                }
            }
            return status;
        }
    }
}
