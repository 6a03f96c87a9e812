package io.pgrunbook.steps.citus;

import io.pgrunbook.report.Evidence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The problems a Citus check found, one row each (table, shard, node, problem), as evidence. */
final class Findings {
    static final List<String> COLUMNS = List.of("table", "shard", "node", "problem");
    private final List<List<Object>> rows = new ArrayList<>();

    void add(String table, Long shard, String node, String problem) {
        rows.add(Arrays.asList(table, shard, node, problem));
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    int size() {
        return rows.size();
    }

    List<List<Object>> rows() {
        return rows;
    }

    /** The first problem, to put in the message so a one-line report still names what broke. */
    String first() {
        List<Object> r = rows.get(0);
        StringBuilder b = new StringBuilder();
        if (r.get(0) != null) {
            b.append(r.get(0));
        }
        if (r.get(1) != null) {
            b.append(b.length() > 0 ? " " : "").append("shard ").append(r.get(1));
        }
        if (r.get(2) != null) {
            b.append(b.length() > 0 ? " on " : "node ").append(r.get(2));
        }
        return (b.length() > 0 ? b + ": " : "") + r.get(3);
    }

    String summary(String what) {
        return rows.size() + " " + what + (rows.size() == 1 ? "" : "s") + "; first: " + first();
    }

    Evidence evidence(String expected) {
        return new Evidence(expected, rows.size() + (rows.size() == 1 ? " problem" : " problems"), COLUMNS, rows, rows.size());
    }
}
