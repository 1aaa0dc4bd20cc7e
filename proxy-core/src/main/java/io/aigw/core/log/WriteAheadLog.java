package io.aigw.core.log;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code durability: wal}: rendered (so redacted) rows forced to the local disk before their
 * answers go out, as append-only JSON-lines segments ({@code wal-*.jsonl}, the spill's format) in
 * the spill directory. Only the writer thread appends, one group commit per call: every row in the
 * list costs one write and one fsync together.
 *
 * <p>A segment is deleted once it is sealed (grown past {@link #SEGMENT_BYTES}, or the log closed)
 * and every row in it is {@linkplain #release released}: committed to the store, or forced to the
 * spill. Segments a crash leaves behind are {@linkplain #takeOver taken over} by the spill at the
 * next start, which replays them once (the stores skip log ids they already hold).
 */
final class WriteAheadLog implements AutoCloseable {
    static final String PREFIX = "wal-";
    static final String SUFFIX = ".jsonl";
    static final long SEGMENT_BYTES = 16L * 1024 * 1024;
    /**
     * Segments grow by zero-filled steps: a forced overwrite of blocks already on disk is a write of
     * data only, while a forced append must write the file's new size too (about a third of the
     * time per commit on the bench machine's disk).
     */
    static final int ALLOCATION_STEP = 4 * 1024 * 1024;

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024);

    /** A segment, and how many of its rows are not committed yet. */
    static final class Segment {
        final Path path;
        private long pending;
        private boolean sealed;

        Segment(Path path) {
            this.path = path;
        }
    }

    private final Path dir;
    private final long segmentBytes;
    private final ObjectMapper json = SpillFile.mapper();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
    private Segment current;
    private FileChannel channel;
    /** Where the current segment's rows end; beyond, up to {@link #allocated}, zeros. */
    private long position;

    private long allocated;
    private long sequence;

    WriteAheadLog(Path dir) {
        this(dir, SEGMENT_BYTES);
    }

    WriteAheadLog(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /** Hands the segments a crash left behind to the spill; returns how many. */
    static int takeOver(Path dir, SpillFile spill) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> left = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            ds.forEach(left::add);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        left.sort(null);
        for (Path p : left) {
            cutZeros(p);
            String name = p.getFileName().toString();
            spill.adopt(p, name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        }
        return left.size();
    }

    /** A segment a crash left open ends in zeros (its allocation): cut after its last byte of rows. */
    static void cutZeros(Path segment) throws IOException {
        try (FileChannel c = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer block = ByteBuffer.allocate(64 * 1024);
            long end = c.size();
            while (end > 0) {
                long start = Math.max(0, end - block.capacity());
                block.clear().limit((int) (end - start));
                while (block.hasRemaining() && c.read(block, start + block.position()) >= 0) {
                    // fill the block
                }
                int i = block.position() - 1;
                while (i >= 0 && block.get(i) == 0) {
                    i--;
                }
                if (i >= 0) {
                    end = start + i + 1;
                    break;
                }
                end = start;
            }
            if (end < c.size()) {
                c.truncate(end);
                c.force(true);
            }
        }
    }

    /**
     * Writes the rows and forces them to disk: one group commit. Returns the segment that holds
     * them, for {@link #release}. On failure nothing is counted in any segment.
     */
    Segment append(List<LogRow> rows) throws IOException {
        buffer.reset();
        for (LogRow row : rows) {
            json.writeValue(buffer, row);
            buffer.write('\n');
        }
        try {
            if (channel == null) {
                open();
            }
            ByteBuffer bytes = ByteBuffer.wrap(buffer.toByteArray());
            while (allocated < position + bytes.remaining()) {
                allocate();
            }
            while (bytes.hasRemaining()) {
                position += channel.write(bytes, position);
            }
            channel.force(false);
        } catch (IOException e) {
            seal(); // a torn tail stays behind it; the next batch starts a new segment
            throw e;
        }
        Segment s = current;
        synchronized (this) {
            s.pending += rows.size();
        }
        if (position >= segmentBytes) {
            seal();
        }
        return s;
    }

    /** One more step of zeros (forced with the next commit). */
    private void allocate() throws IOException {
        for (long end = allocated + ALLOCATION_STEP; allocated < end; ) {
            ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(zeros.capacity(), end - allocated));
            allocated += channel.write(zeros, allocated);
        }
    }

    private void open() throws IOException {
        Files.createDirectories(dir);
        // Names sort by creation, as the spill's do: they keep their order when it takes them over.
        Path path = dir.resolve(
                String.format("%s%013d-%06d%s", PREFIX, System.currentTimeMillis(), sequence++ % 1_000_000, SUFFIX));
        channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        position = 0;
        allocated = 0;
        current = new Segment(path);
        syncDirectory(dir); // the new name must survive a machine crash too
    }

    /** No more rows go to the current segment; it is deleted once all of its rows are released. */
    private void seal() {
        Segment s = current;
        FileChannel c = channel;
        current = null;
        channel = null;
        if (c != null) {
            try {
                c.truncate(position); // the zeros after the rows
                c.close();
            } catch (IOException ignored) {
                // its rows were forced, or their append failed and they are not counted in it; a
                // zero tail left is cut when the segment is taken over
                try {
                    c.close();
                } catch (IOException alsoIgnored) {
                    // nothing more to do
                }
            }
        }
        if (s != null) {
            synchronized (this) {
                s.sealed = true;
                deleteIfDone(s);
            }
        }
    }

    /** {@code rows} of segment {@code s} are committed to the store or forced to the spill. */
    synchronized void release(Segment s, int rows) {
        s.pending -= rows;
        deleteIfDone(s);
    }

    private void deleteIfDone(Segment s) {
        if (s.sealed && s.pending <= 0) {
            try {
                Files.deleteIfExists(s.path);
            } catch (IOException ignored) {
                // taken over by the spill at the next start; the store skips its rows
            }
        }
    }

    /** Seals the current segment: deleted if all its rows are committed, else left for the next start. */
    @Override
    public void close() {
        seal();
    }

    /** Forces a directory's entries (a new file's name) to disk; best effort where that is not possible. */
    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can open a directory; the file's own contents are forced regardless
        }
    }
}
