package io.aigw.server.runtime;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code config_watch: true}: reloads when the config file changes. Watches the file's directory
 * (editors and config managers replace the file, or a symlink to it, rather than write in place),
 * and when it is a symlink the directory of its target too,
 * waits until the directory has been quiet for {@link #QUIET_MILLIS} (an editor saves in several
 * steps), then reloads only if the file's bytes differ from those last seen.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    static final long QUIET_MILLIS = 250;

    private final Path file;
    private final ConfigReloader reloader;
    private final WatchService watch;
    private final Thread thread;
    private byte[] lastSeen;

    private ConfigWatcher(Path file, ConfigReloader reloader) throws IOException {
        this.file = file.toAbsolutePath();
        this.reloader = reloader;
        this.lastSeen = read();
        this.watch = FileSystems.getDefault().newWatchService();
        register(this.file.getParent());
        registerTarget();
        this.thread = new Thread(this::run, "aigw-config-watch");
        thread.setDaemon(true);
    }

    /** Starts watching the reloader's file. */
    public static ConfigWatcher start(ConfigReloader reloader) throws IOException {
        ConfigWatcher w = new ConfigWatcher(reloader.source().file(), reloader);
        w.thread.start();
        log.info("config_watch: reloading {} when it changes", w.file);
        return w;
    }

    private void run() {
        try {
            while (true) {
                drain(watch.take());
                // Quiet period: any further event restarts it.
                WatchKey more;
                while ((more = watch.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                    drain(more);
                }
                registerTarget(); // a swapped link may point into another directory now
                byte[] now = read();
                if (now != null && !Arrays.equals(now, lastSeen)) {
                    lastSeen = now;
                    try {
                        reloader.reload("file watch").join();
                    } catch (CompletionException | CancellationException e) {
                        // Not a refusal (those are answers) but a failure of ours: keep watching.
                        log.error("config_watch: the reload failed", e.getCause() != null ? e.getCause() : e);
                    }
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: the server is stopping
        }
    }

    private void register(Path directory) throws IOException {
        directory.register(
                watch,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
    }

    /**
     * When the file is a symlink, the directory of what it points to as well: a file rewritten
     * there (its link untouched) changes nothing in the link's directory. Registering a directory
     * again is harmless; one that was deleted (an old version of a Kubernetes volume) drops out.
     */
    private void registerTarget() {
        try {
            Path target = file.toRealPath().getParent();
            if (target != null && !target.equals(file.getParent())) {
                register(target);
            }
        } catch (IOException | ClosedWatchServiceException e) {
            // missing for now (a broken link); tried again after the next event
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    /** The file's bytes, or null while it is missing (between an editor's delete and write). */
    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException e) {
            log.debug("closing the config watch: {}", e.toString());
        }
        thread.interrupt();
    }
}
