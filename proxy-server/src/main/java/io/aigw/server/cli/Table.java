package io.aigw.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Plain-text columns for humans: left-aligned, two spaces apart, long cells shortened. */
final class Table {
    private static final int MAX_CELL = 48;

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    Table row(String... cells) {
        List<String> row = new ArrayList<>(cells.length);
        for (String c : cells) {
            row.add(cell(c));
        }
        rows.add(row);
        return this;
    }

    void print(PrintStream out) {
        int[] width = widths();
        line(out, header, width);
        for (List<String> r : rows) {
            line(out, r, width);
        }
    }

    /** The rows without the header: the next lines of a table already started (widths may differ). */
    void printRows(PrintStream out) {
        int[] width = widths();
        for (List<String> r : rows) {
            line(out, r, width);
        }
    }

    private int[] widths() {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        return width;
    }

    private static void line(PrintStream out, List<String> cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            b.append(c);
            if (i < cells.size() - 1) {
                b.append(" ".repeat(width[i] - c.length() + 2));
            }
        }
        out.println(b.toString().stripTrailing());
    }

    /** A cell on one line, at most {@value #MAX_CELL} characters; null is "-". */
    static String cell(String s) {
        if (s == null || s.isEmpty()) {
            return "-";
        }
        String one = s.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
        return one.length() > MAX_CELL ? one.substring(0, MAX_CELL - 3) + "..." : one;
    }

    /** A JSON value as a cell: text as is, null or missing as null, anything else as compact JSON. */
    static String text(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        return n.isValueNode() ? n.asText() : n.toString();
    }
}
