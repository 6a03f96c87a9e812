package io.pgrunbook.runbook.expect;

import java.util.List;

/** An operator and the value it compares with; for IN and NOT_IN the value is a list. */
public record Comparison(CompareOp op, Object value) {
    @Override
    public String toString() {
        return op.symbol() + " " + show(value);
    }

    static String show(Object v) {
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        if (v instanceof List<?> list) {
            return list.stream().map(Comparison::show).toList().toString();
        }
        return String.valueOf(v);
    }
}
