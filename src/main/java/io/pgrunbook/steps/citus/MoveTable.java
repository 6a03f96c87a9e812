package io.pgrunbook.steps.citus;

import java.util.List;
import java.util.Locale;

/**
 * Shard moves as an aligned plain-text table for a step's message: a plan or a job's moves must be
 * readable at a terminal even when the step passes (the text report shows evidence only on failure).
 */
final class MoveTable {
    static final List<String> PLAN_COLUMNS = List.of("table", "shard", "bytes", "from_node", "to_node");
    static final List<String> TASK_COLUMNS = List.of("task", "status", "table", "shard", "bytes", "from_node", "to_node", "message");
    /** A message with thousands of moves would drown the report; the evidence (json) keeps them all. */
    private static final int MAX_LINES = 50;

    private MoveTable() {}

    static String render(List<String> columns, List<List<Object>> rows) {
        int n = columns.size();
        int shown = Math.min(rows.size(), MAX_LINES);
        String[][] cells = new String[shown + 1][n];
        int[] width = new int[n];
        for (int c = 0; c < n; c++) {
            cells[0][c] = columns.get(c);
        }
        for (int r = 0; r < shown; r++) {
            for (int c = 0; c < n; c++) {
                Object v = rows.get(r).get(c);
                cells[r + 1][c] = v == null ? "" : columns.get(c).equals("bytes") ? bytes(((Number) v).longValue()) : oneLine(v.toString());
            }
        }
        for (String[] row : cells) {
            for (int c = 0; c < n; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : cells) {
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < n; c++) {
                line.append(c == 0 ? "" : "  ").append(String.format("%-" + width[c] + "s", row[c]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        if (rows.size() > shown) {
            out.append("  ... and ").append(rows.size() - shown).append(" more (all of them in --format json)\n");
        }
        return out.toString().stripTrailing();
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ").strip();
        return t.length() > 100 ? t.substring(0, 97) + "..." : t;
    }
}
