package io.aigw.server.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code scripts/aigw}: the operator's command line. It talks to a running aigw's admin API
 * ({@code --url}, admin key from {@code AIGW_ADMIN_KEY} only) and checks or encrypts config
 * offline. Exit codes scripts can rely on: {@value #OK} ok, {@value #REFUSED} the server refused
 * (4xx; its message printed) or a config file is invalid, {@value #USAGE} usage error,
 * {@value #UNREACHABLE} cannot connect, or the server failed (5xx).
 */
@Command(
        name = "aigw",
        description = "Operate an aigw gateway: client keys, the request log, config files, encrypted secrets.",
        mixinStandardHelpOptions = true,
        version = "aigw command line",
        subcommands = {KeysCommand.class, LogsCommand.class, ConfigCommand.class, SecretsCommand.class},
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  AIGW_URL              the default of --url (else http://127.0.0.1:8080)",
            "  AIGW_ADMIN_KEY        an admin key; never given as an argument",
            "  AIGW_MASTER_KEY       the key of enc:v1: values, base64 of 32 bytes",
            "  AIGW_MASTER_KEY_FILE  or a file holding it"
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok",
            "1:the server refused (4xx, its message printed), or config check found an error",
            "2:usage error (bad option, missing AIGW_ADMIN_KEY or master key)",
            "3:cannot connect, or the server failed (5xx)"
        })
public final class AigwCli {
    static final int OK = 0;
    static final int REFUSED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;

    private AigwCli() {}

    public static void main(String[] args) {
        boolean interactive = isTerminal(System.console());
        System.exit(run(args, System.getenv(), System.in, System.out, System.err, interactive));
    }

    /**
     * Whether the console is a terminal. From JDK 22 {@code System.console()} is not null when
     * redirected either, and its prompt would land in a script's captured output; its
     * {@code isTerminal()} (JDK 22) says. Before that, a console at all means a terminal.
     */
    static boolean isTerminal(java.io.Console console) {
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | ClassCastException e) {
            return false;
        }
    }

    /** Runs one command line and returns its exit code; everything goes to the given streams. */
    static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        return run(args, env, in, out, err, false);
    }

    static int run(
            String[] args,
            Map<String, String> env,
            InputStream in,
            PrintStream out,
            PrintStream err,
            boolean interactive) {
        CliContext ctx = new CliContext(env, in, out, err, interactive);
        CommandLine cl = new CommandLine(new AigwCli(), factory(ctx));
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof CliFailure f) {
                err.println("aigw: " + f.getMessage());
                return f.exitCode;
            }
            if (e instanceof InterruptedException) {
                return OK;
            }
            // A bug, not the operator's doing: the class says where; the message holds no secret we gave it.
            err.println("aigw: unexpected error: " + e);
            return REFUSED;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Commands take the {@link CliContext} in their constructor when they have one. */
    private static CommandLine.IFactory factory(CliContext ctx) {
        CommandLine.IFactory fallback = CommandLine.defaultFactory();
        return new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                try {
                    var ctor = cls.getDeclaredConstructor(CliContext.class);
                    return ctor.newInstance(ctx);
                } catch (NoSuchMethodException e) {
                    return fallback.create(cls);
                }
            }
        };
    }
}
