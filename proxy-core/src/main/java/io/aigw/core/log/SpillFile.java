package io.aigw.core.log;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows waiting for the database, as append-only JSON-lines segments in one directory. The writer
 * and the inserter both append (and a stop may), so every method holds the file's lock; only the
 * inserter reads. Rows are redacted before they get here, so the disk never holds what the
 * database would not.
 *
 * <p>Appends go to the open segment; {@link #nextBatch} first closes it, then reads the oldest
 * segment from its start and deletes it once read to the end. A crash mid-replay replays that
 * segment again, which the stores' insert-if-absent on {@code log_id} makes harmless.
 */
final class SpillFile implements AutoCloseable {
    private static final String PREFIX = "spill-";
    private static final String SUFFIX = ".jsonl";

    private final Path dir;
    private final ObjectMapper json;
    private BufferedWriter out;
    private FileOutputStream outFile;
    private Path outPath;
    private long sequence;
    private BufferedReader in;
    private Path inPath;

    SpillFile(Path dir) {
        this.dir = dir;
        this.json = mapper();
    }

    /** A row as one spill line (the write-ahead log writes the same lines). */
    static ObjectMapper mapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    /** Appends and flushes to the OS (a process crash loses nothing; a machine crash may lose the tail). */
    synchronized void append(List<LogRow> rows) throws IOException {
        append(rows, false);
    }

    /**
     * Appends; with {@code sync}, forces the rows to the disk before returning (rows taken over from
     * the write-ahead log must stay as safe as they were there).
     */
    synchronized void append(List<LogRow> rows, boolean sync) throws IOException {
        if (out == null) {
            Files.createDirectories(dir);
            // Names sort by creation: time, then a sequence for segments made within one millisecond.
            outPath = dir.resolve(String.format(
                    "%s%013d-%06d%s", PREFIX, System.currentTimeMillis(), sequence++ % 1_000_000, SUFFIX));
            outFile = new FileOutputStream(outPath.toFile(), true);
            out = new BufferedWriter(new OutputStreamWriter(outFile, StandardCharsets.UTF_8));
            if (sync) {
                WriteAheadLog.syncDirectory(dir);
            }
        }
        knownEmpty = false;
        for (LogRow row : rows) {
            out.write(json.writeValueAsString(row));
            out.write('\n');
        }
        out.flush();
        if (sync) {
            outFile.getChannel().force(false);
        }
    }

    /**
     * Takes over a segment the write-ahead log left behind (its lines are spill lines): renamed, so
     * it is replayed like any spill segment, once; a crash before the rename leaves it to the next
     * start. Rows of it the store already has are skipped there.
     */
    synchronized void adopt(Path walSegment, String name) throws IOException {
        Files.createDirectories(dir);
        Files.move(walSegment, dir.resolve(PREFIX + name + SUFFIX), StandardCopyOption.ATOMIC_MOVE);
        knownEmpty = false;
    }

    /** True when rows are waiting (in the open segment or older ones). */
    synchronized boolean hasRows() throws IOException {
        if (knownEmpty) {
            return false; // the inserter asks often; the directory is listed only after an append
        }
        boolean rows = in != null || out != null || !segments().isEmpty();
        knownEmpty = !rows;
        return rows;
    }

    /** Nothing was appended since the directory was last found empty. */
    private boolean knownEmpty;

    /**
     * Up to {@code max} spilled rows, oldest first; empty when there are none. A line that does not
     * parse (a torn write at a crash) is skipped and counted in {@code corrupt}.
     */
    synchronized List<LogRow> nextBatch(int max, long[] corrupt) throws IOException {
        List<LogRow> rows = new ArrayList<>(Math.min(max, 1024));
        while (rows.size() < max) {
            if (in == null && !openOldest()) {
                break;
            }
            String line = in.readLine();
            if (line == null) {
                in.close();
                in = null;
                Files.deleteIfExists(inPath);
                continue;
            }
            if (line.isBlank()) {
                continue;
            }
            try {
                rows.add(json.readValue(line, LogRow.class));
            } catch (IOException e) {
                corrupt[0]++;
            }
        }
        return rows;
    }

    private boolean openOldest() throws IOException {
        closeWriter(); // the open segment becomes replayable; new spills start a new one
        List<Path> segments = segments();
        if (segments.isEmpty()) {
            return false;
        }
        inPath = segments.get(0);
        in = Files.newBufferedReader(inPath, StandardCharsets.UTF_8);
        return true;
    }

    private List<Path> segments() throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path p : ds) {
                if (!p.equals(outPath)) {
                    found.add(p);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        found.sort(null);
        return found;
    }

    private void closeWriter() throws IOException {
        if (out != null) {
            out.close();
            out = null;
            outFile = null;
            outPath = null;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        closeWriter();
        if (in != null) {
            in.close();
            in = null;
        }
    }
}
