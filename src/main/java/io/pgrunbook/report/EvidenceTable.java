package io.pgrunbook.report;

import java.util.ArrayList;
import java.util.List;

/** Evidence as plain-text lines: expected, observed, then the rows as an aligned table. */
final class EvidenceTable {
    /** Where an expanded row's values wrap: a terminal of 100 columns less the report's indent. */
    static final int WRAP_AT = 92;

    private EvidenceTable() {}

    static List<String> lines(Evidence evidence) {
        List<String> out = new ArrayList<>();
        if (evidence.expected() != null) {
            out.add("expected: " + TextFormatting.printable(evidence.expected(), false));
        }
        if (evidence.observed() != null) {
            out.add("observed: " + TextFormatting.printable(evidence.observed(), false));
        }
        out.addAll(table(evidence));
        long more = evidence.totalRows() - evidence.rows().size();
        if (more > 0) {
            out.add("... and " + TextFormatting.plural(more, "more row", "more rows"));
        }
        return out;
    }

    private static List<String> table(Evidence evidence) {
        List<List<Object>> rows = evidence.rows();
        List<String> columns = evidence.columns();
        int n = columns.size();
        for (List<Object> row : rows) {
            n = Math.max(n, row.size());
        }
        if (n == 0 || (rows.isEmpty() && columns.isEmpty())) {
            return List.of();
        }
        String[] header = new String[n];
        int[] widths = new int[n];
        boolean[] numeric = new boolean[n];
        for (int c = 0; c < n; c++) {
            header[c] = c < columns.size() ? TextFormatting.cell(columns.get(c)) : "";
            widths[c] = TextFormatting.width(header[c]);
            numeric[c] = !rows.isEmpty();
        }
        List<String[]> cells = new ArrayList<>();
        boolean wide = false;
        for (List<Object> row : rows) {
            String[] line = new String[n];
            for (int c = 0; c < n; c++) {
                Object v = c < row.size() ? row.get(c) : null;
                line[c] = c < row.size() ? TextFormatting.fullCell(v) : "";
                wide |= TextFormatting.width(line[c]) > TextFormatting.MAX_CELL;
                widths[c] = Math.max(widths[c], TextFormatting.width(line[c]));
                numeric[c] &= v == null || v instanceof Number;
            }
            cells.add(line);
        }
        if (wide) {
            return expanded(header, cells);
        }
        List<String> out = new ArrayList<>();
        if (!columns.isEmpty()) {
            out.add(join(header, widths, numeric));
            StringBuilder rule = new StringBuilder();
            for (int c = 0; c < n; c++) {
                rule.append(c == 0 ? "" : "-+-").append("-".repeat(widths[c]));
            }
            out.add(rule.toString());
        }
        for (String[] line : cells) {
            out.add(join(line, widths, numeric));
        }
        return out;
    }

    /**
     * A table with a long value (advice, a problem, a checksum) is shown one row at a time, a column a
     * line, values wrapped rather than cut, as psql's expanded display: nothing said is lost.
     */
    static List<String> expanded(String[] header, List<String[]> rows) {
        int label = 0;
        for (String h : header) {
            label = Math.max(label, TextFormatting.width(h));
        }
        int room = Math.max(30, WRAP_AT - label - 3);
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String[] row : rows) {
            String title = "-[ row " + (++i) + " ]";
            out.add(title + "-".repeat(Math.max(3, label + 3 + Math.min(room, 40) - title.length())));
            for (int c = 0; c < row.length; c++) {
                List<String> pieces = TextFormatting.wrap(row[c], room);
                for (int k = 0; k < pieces.size(); k++) {
                    out.add((TextFormatting.pad(k == 0 ? header[c] : "", label, false) + " | " + pieces.get(k)).stripTrailing());
                }
            }
        }
        return out;
    }

    // numbers right-aligned, as psql does, so magnitudes compare at a glance
    private static String join(String[] cells, int[] widths, boolean[] right) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            b.append(c == 0 ? "" : " | ").append(TextFormatting.pad(cells[c], widths[c], right[c]));
        }
        return b.toString().stripTrailing();
    }
}
