package io.aigw.server;

import io.aigw.core.auth.ApiKeyStore;
import io.aigw.core.auth.GeneratedKey;
import io.aigw.core.auth.KeyHash;
import io.aigw.core.config.ConfigException;
import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProxyConfig;
import io.aigw.server.dialect.Dialects;
import io.aigw.server.logging.JsonLogs;
import io.aigw.server.runtime.ConfigSource;
import io.aigw.server.runtime.ReloadOutcome;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.io.PrintStream;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Entry point of {@code scripts/run.sh}: load config, make sure a key exists, serve until stopped. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    /** Exit status of a stop that had to cut exchanges still in flight when the shutdown grace ran out. */
    static final int EXIT_CUT = 3;

    private Main() {}

    public static void main(String[] args) throws Exception {
        ResourceLeakDetector.Level leakLevel = leakDetectionLevel(System::getProperty);
        if (leakLevel != null) {
            // First, before any buffer exists: the level applies to buffers allocated from now on.
            ResourceLeakDetector.setLevel(leakLevel);
        }
        Map<String, String> env = System.getenv();
        ProxyConfig config;
        ConfigSource source;
        try {
            Path file = ConfigLoader.resolveConfigPath(List.of(args), env);
            source = new ConfigSource(file, Dialects.TYPES, env);
            config = source.load();
        } catch (ConfigException e) {
            // One line, no stack trace: the operator needs the key and the problem, nothing else.
            System.err.println("aigw: config error: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (!JsonLogs.apply(config.logging())) {
            System.err.println("aigw: logging.format json needs logback as the SLF4J backend; keeping its format");
        }
        String unwritable = WritableDirs.firstProblem(config);
        if (unwritable != null) {
            // As a config error: nothing would be kept (no row, no generated key), so do not start.
            System.err.println("aigw: " + unwritable);
            System.exit(2);
            return;
        }
        List<KeyHash> hashes = config.auth().apiKeyHashes();
        if (hashes.isEmpty()) {
            hashes = List.of(generatedKey(config.dataDir(), System.out));
        }
        ProxyServer server = new ProxyServer(config, new ApiKeyStore(hashes)).withConfigSource(source);
        // Before start: once "listening" is logged a stop must already be graceful, never the JVM's 143.
        CountDownLatch stopSignal = onStopSignals();
        try {
            Signal.handle(new Signal("HUP"), signal -> reloadOnHangup(server));
        } catch (IllegalArgumentException noSuchSignal) {
            log.info("no SIGHUP on this platform: reload with POST /admin/config/reload");
        }
        try {
            server.start();
        } catch (Exception e) {
            // Most often the port is taken: say so in one line, as for config errors.
            server.close();
            System.err.println(
                    e instanceof IllegalStateException
                            ? "aigw: " + e.getMessage()
                            : "aigw: cannot listen on " + config.server().host() + ":"
                                    + config.server().port() + ": " + listenFailure(e));
            System.exit(1);
            return;
        }
        Thread stopper = new Thread(
                () -> {
                    awaitUninterruptibly(stopSignal);
                    server.close();
                },
                "aigw-stop");
        stopper.setDaemon(true);
        stopper.start();
        // Other ways out (System.exit elsewhere) still close the server; after a signal's
        // stop this finds it closed and returns at once.
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "aigw-shutdown"));
        server.awaitClosed();
        int cut = server.cutExchanges();
        if (cut > 0) {
            // Not a clean stop: the service manager (and whoever reads its status) should know.
            System.err.println("aigw: stopped after cutting " + cut + " exchange(s) still in flight when the "
                    + config.server().shutdownGrace().toMillis() + " ms shutdown grace ran out");
            System.exit(EXIT_CUT);
        }
        System.exit(0);
    }

    /**
     * SIGTERM and SIGINT start a graceful stop on a thread of its own (the returned latch opens),
     * instead of the JVM's default (run the hooks, exit 143 or 130, which systemd reports as a
     * failure even when every exchange finished). Main's {@code awaitClosed} then returns and the
     * exit status says how the stop went.
     */
    private static CountDownLatch onStopSignals() {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> {
                log.info(
                        stop.getCount() > 0 ? "SIG{}: shutting down" : "SIG{}: already shutting down",
                        signal.getName());
                stop.countDown();
            });
        }
        return stop;
    }

    /**
     * SIGHUP ({@code systemctl reload aigw}): reloads the config file, as {@code POST
     * /admin/config/reload} does; the reloader logs the outcome. Returns at once: the signal thread
     * must not wait on file I/O.
     */
    public static CompletableFuture<ReloadOutcome> reloadOnHangup(ProxyServer server) {
        log.info("SIGHUP: reloading the config");
        return server.reload("SIGHUP");
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // only the signal ends the wait
            }
        }
    }

    /**
     * The leak detection level a production start sets, or null to keep Netty's (when one is given
     * explicitly, under either of Netty's property names). Netty's default, SIMPLE, samples one buffer
     * in 128 and records a stack trace at each of its touches: measurable CPU on the event loops,
     * for a check the test suite already runs at PARANOID on every buffer. Tests start servers
     * in-process, never through Main, so they keep theirs.
     */
    static ResourceLeakDetector.Level leakDetectionLevel(UnaryOperator<String> systemProperty) {
        boolean given = systemProperty.apply("io.netty.leakDetection.level") != null
                || systemProperty.apply("io.netty.leakDetectionLevel") != null;
        return given ? null : ResourceLeakDetector.Level.DISABLED;
    }

    /** Why binding failed, in words: some of the JDK's exceptions carry no message at all. */
    static String listenFailure(Throwable e) {
        if (e instanceof UnresolvedAddressException || e instanceof UnknownHostException) {
            return "unknown host";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * With no key configured the proxy makes one, so a default start is never an open relay. The key
     * is shown once on the terminal, deliberately not through the logger: log files must never hold
     * a key. Afterwards only its hash exists, under the data directory.
     */
    static KeyHash generatedKey(Path dataDir, PrintStream terminal) throws IOException {
        GeneratedKey.Result result = GeneratedKey.loadOrCreate(dataDir);
        if (result.newKeyOrNull() != null) {
            terminal.println();
            terminal.println("  No API key is configured, so aigw generated one. It is shown only this once:");
            terminal.println();
            terminal.println("      " + result.newKeyOrNull());
            terminal.println();
            terminal.println("  Only its hash is kept (" + dataDir.resolve("generated-api-key.sha256")
                    + "). Delete that file to get a new key, or set auth.api_keys / PROXY_API_KEYS.");
            terminal.println();
            terminal.flush();
        } else {
            log.info("using the generated API key whose hash is in {}", dataDir);
        }
        return result.hash();
    }
}
