package io.pgrunbook.runbook.expect;

import java.util.List;

/** One thing a step's result must satisfy. */
public sealed interface Assertion {

    /** The number of rows, e.g. {@code rows: 0} or {@code rows: { gt: 0 }}. */
    record RowCount(Comparison comparison) implements Assertion {
        @Override
        public String toString() {
            return "rows " + comparison;
        }
    }

    /** The single value of a one-row, one-column result, e.g. {@code value: { ge: 0.95 }}. */
    record ScalarValue(Comparison comparison) implements Assertion {
        @Override
        public String toString() {
            return "value " + comparison;
        }
    }

    /** Every row's column satisfies the comparison, e.g. {@code each: { partmethod: h }}. */
    record EachRow(String column, Comparison comparison) implements Assertion {
        @Override
        public String toString() {
            return "every row: " + column + " " + comparison;
        }
    }

    /** All rows share one value in the columns, e.g. {@code same: colocationid}. */
    record SameValue(List<String> columns) implements Assertion {
        @Override
        public String toString() {
            return "all rows share one " + String.join(", ", columns);
        }
    }
}
