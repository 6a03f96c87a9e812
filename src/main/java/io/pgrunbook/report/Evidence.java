package io.pgrunbook.report;

import java.util.List;

/**
 * What a step expected and what it observed, with up to N rows as proof (the offending rows of a
 * failed expectation, or the first rows of a passing query).
 *
 * @param expected  human-readable expectation, e.g. {@code "value < 100000"}; null when the step had none
 * @param observed  human-readable observation, e.g. {@code "3 rows, 1 offending"}
 * @param columns   column names of {@code rows}
 * @param rows      sample rows; values are String, Number, Boolean, List or null
 * @param totalRows the number of rows the query returned
 */
public record Evidence(String expected, String observed, List<String> columns, List<List<Object>> rows, long totalRows) {
    public Evidence {
        columns = columns == null ? List.of() : List.copyOf(columns);
        rows = rows == null ? List.of() : rows.stream().map(r -> java.util.Collections.unmodifiableList(new java.util.ArrayList<>(r))).toList();
    }

    public static Evidence none() {
        return new Evidence(null, null, List.of(), List.of(), 0);
    }

    public boolean isEmpty() {
        return expected == null && observed == null && rows.isEmpty();
    }
}
