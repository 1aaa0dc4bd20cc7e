package io.aigw.server;

import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.RequestLogConfig;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories a start will write in, created if missing and probed with a real write before
 * anything is served. A read-only or impossible one would otherwise be found only by the first row
 * (every one then dropped) or the first generated key, long after the operator looked.
 */
final class WritableDirs {
    /** A directory, and what it is to the operator. */
    record Dir(String what, Path path) {}

    private WritableDirs() {}

    /**
     * The data directory when a generated key is kept there, then the SQLite file's and the spill's
     * when the log uses them. Nothing else writes there: a read-only host with keys configured and the
     * log off or on stdout starts.
     */
    static List<Dir> of(ProxyConfig config) {
        List<Dir> dirs = new ArrayList<>();
        if (config.auth().apiKeyHashes().isEmpty()) {
            add(dirs, "data directory", config.dataDir());
        }
        RequestLogConfig log = config.requestLog();
        if (log.store() == RequestLogConfig.Store.SQLITE) {
            add(
                    dirs,
                    "request log directory",
                    log.sqlitePath().toAbsolutePath().normalize().getParent());
        }
        if (log.store() != RequestLogConfig.Store.OFF) {
            add(dirs, "spill directory", log.spillDir());
        }
        return dirs;
    }

    private static void add(List<Dir> dirs, String what, Path path) {
        if (path == null) {
            return;
        }
        Path abs = path.toAbsolutePath().normalize();
        if (dirs.stream().noneMatch(d -> d.path().equals(abs))) {
            dirs.add(new Dir(what, abs));
        }
    }

    /** The first directory that cannot be written, as one line without the "aigw: " prefix, or null. */
    static String firstProblem(ProxyConfig config) {
        for (Dir d : of(config)) {
            String problem = probe(d);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    static String probe(Dir d) {
        try {
            Files.createDirectories(d.path());
            Path probe = Files.createTempFile(d.path(), ".aigw-write-probe-", ".tmp");
            Files.delete(probe);
            return null;
        } catch (IOException | SecurityException e) {
            return d.what() + " " + d.path() + " is not writable: " + reason(e, d.path());
        }
    }

    /** The operating system's reason (its errno text where Java kept it), and the path it is about. */
    private static String reason(Exception e, Path dir) {
        String why;
        if (e instanceof FileSystemException f && f.getReason() != null) {
            why = f.getReason();
        } else if (e instanceof AccessDeniedException) {
            why = "Permission denied";
        } else if (e instanceof NoSuchFileException) {
            why = "No such file or directory";
        } else if (e instanceof FileAlreadyExistsException) {
            why = "a file that is not a directory is in the way";
        } else {
            why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        if (e instanceof FileSystemException f
                && f.getFile() != null
                && !Path.of(f.getFile()).equals(dir)) {
            why += " (" + f.getFile() + ")";
        }
        return why;
    }
}
