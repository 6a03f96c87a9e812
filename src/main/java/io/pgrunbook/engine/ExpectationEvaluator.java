package io.pgrunbook.engine;

import io.pgrunbook.report.Evidence;
import io.pgrunbook.runbook.expect.Assertion;
import io.pgrunbook.runbook.expect.Expectation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Judges a result table against an expectation and gathers the evidence: what was expected, what was seen, which rows offend. */
public final class ExpectationEvaluator {

    /**
     * @param passed  whether every assertion held
     * @param invalid set when the expectation cannot be judged on this result (a missing column): a runbook bug, so the step errors
     */
    public record Verdict(boolean passed, String invalid, Evidence evidence) {}

    private ExpectationEvaluator() {}

    public static Verdict evaluate(Expectation expect, ResultTable table) {
        List<String> failures = new ArrayList<>();
        Set<Integer> offending = new LinkedHashSet<>();
        for (Assertion a : expect.assertions()) {
            String invalid = judge(a, table, failures, offending);
            if (invalid != null) {
                return new Verdict(false, invalid, new Evidence(expect.toString(), invalid, table.columns(), sample(table, expect.maxRows()), table.totalRows()));
            }
        }
        boolean passed = failures.isEmpty();
        String observed = passed ? summary(table) : String.join("; ", failures);
        List<List<Object>> rows = passed || offending.isEmpty()
                ? sample(table, expect.maxRows())
                : offending.stream().limit(expect.maxRows()).map(i -> table.rows().get(i)).toList();
        return new Verdict(passed, null, new Evidence(expect.toString(), observed, table.columns(), rows, table.totalRows()));
    }

    /** Evidence for a step without expectations: what it returned. */
    public static Evidence observed(ResultTable table, int maxRows) {
        return new Evidence(null, summary(table), table.columns(), sample(table, maxRows), table.totalRows());
    }

    private static String judge(Assertion a, ResultTable t, List<String> failures, Set<Integer> offending) {
        if (a instanceof Assertion.RowCount rc) {
                if (!Values.test(t.totalRows(), rc.comparison().op(), rc.comparison().value())) {
                    failures.add(rows(t.totalRows()));
                    for (int i = 0; i < t.rows().size(); i++) {
                        offending.add(i);
                    }
                }
        } else if (a instanceof Assertion.ScalarValue sv) {
                if (t.columns().isEmpty()) {
                    return "expect.value needs a query that returns a column";
                }
                if (t.totalRows() != 1) {
                    failures.add("expected a single value, got " + rows(t.totalRows()));
                    for (int i = 0; i < t.rows().size(); i++) {
                        offending.add(i);
                    }
                } else if (!Values.test(t.rows().get(0).get(0), sv.comparison().op(), sv.comparison().value())) {
                    failures.add("value " + Values.show(t.rows().get(0).get(0)));
                    offending.add(0);
                }
        } else if (a instanceof Assertion.EachRow each) {
                int col = t.columnIndex(each.column());
                if (col < 0) {
                    return "expect.each names column '" + each.column() + "', which the query does not return (columns: "
                            + String.join(", ", t.columns()) + ")";
                }
                if (t.truncated()) {
                    return tooMany(t);
                }
                int bad = 0;
                for (int i = 0; i < t.rows().size(); i++) {
                    if (!Values.test(t.rows().get(i).get(col), each.comparison().op(), each.comparison().value())) {
                        offending.add(i);
                        bad++;
                    }
                }
                if (bad > 0) {
                    failures.add(rows(bad) + " of " + t.totalRows() + " with " + each.column() + " not " + each.comparison());
                }
        } else if (a instanceof Assertion.SameValue same) {
                List<Integer> cols = new ArrayList<>();
                for (String c : same.columns()) {
                    int idx = t.columnIndex(c);
                    if (idx < 0) {
                        return "expect.same names column '" + c + "', which the query does not return (columns: "
                                + String.join(", ", t.columns()) + ")";
                    }
                    cols.add(idx);
                }
                if (t.truncated()) {
                    return tooMany(t);
                }
                Map<String, List<Integer>> groups = new LinkedHashMap<>();
                for (int i = 0; i < t.rows().size(); i++) {
                    List<Object> row = t.rows().get(i);
                    String key = cols.stream().map(c -> Values.show(row.get(c))).collect(Collectors.joining(", "));
                    groups.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
                }
                if (groups.size() > 1) {
                    String majority = groups.entrySet().stream().max((x, y) -> Integer.compare(x.getValue().size(), y.getValue().size()))
                            .map(Map.Entry::getKey).orElseThrow();
                    groups.forEach((k, idx) -> {
                        if (!k.equals(majority)) {
                            offending.addAll(idx);
                        }
                    });
                    failures.add(groups.size() + " different values of " + String.join(", ", same.columns()) + ": "
                            + groups.entrySet().stream().map(e -> e.getKey() + " (" + rows(e.getValue().size()) + ")")
                            .collect(Collectors.joining(", ")));
                }
        }
        return null;
    }

    private static String tooMany(ResultTable t) {
        return "the query returned more than " + ResultTable.MAX_ROWS + " rows, too many to judge row by row; "
                + "narrow it with WHERE or aggregate it";
    }

    private static List<List<Object>> sample(ResultTable t, int max) {
        return t.rows().subList(0, Math.min(max, t.rows().size()));
    }

    static String summary(ResultTable t) {
        if (t.totalRows() == 1 && t.columns().size() == 1) {
            return "value " + Values.show(t.rows().get(0).get(0));
        }
        return rows(t.totalRows());
    }

    private static String rows(long n) {
        return n == 1 ? "1 row" : n + " rows";
    }
}
