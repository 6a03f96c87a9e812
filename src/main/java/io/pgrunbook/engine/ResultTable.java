package io.pgrunbook.engine;

import java.util.List;

/**
 * What a step's query returned, bounded: at most {@link #MAX_ROWS} rows are kept. Expectations over a
 * truncated result would judge rows they never saw, so they refuse it (see {@link ExpectationEvaluator}).
 *
 * @param rows values are String, Number, Boolean, List or null
 */
public record ResultTable(List<String> columns, List<List<Object>> rows, long totalRows, boolean truncated) {
    public static final int MAX_ROWS = 10_000;

    public ResultTable {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }

    public static ResultTable of(List<String> columns, List<List<Object>> rows) {
        return new ResultTable(columns, rows, rows.size(), false);
    }

    public int columnIndex(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).equalsIgnoreCase(column)) {
                return i;
            }
        }
        return -1;
    }
}
