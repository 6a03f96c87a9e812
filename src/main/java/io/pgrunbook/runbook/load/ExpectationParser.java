package io.pgrunbook.runbook.load;

import io.pgrunbook.runbook.expect.Assertion;
import io.pgrunbook.runbook.expect.CompareOp;
import io.pgrunbook.runbook.expect.Comparison;
import io.pgrunbook.runbook.expect.Expectation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads a step's {@code expect:} block. */
final class ExpectationParser {
    static final List<String> KEYS = List.of("rows", "value", "empty", "each", "same", "max_rows");

    private final YamlReader yaml;

    ExpectationParser(YamlReader yaml) {
        this.yaml = yaml;
    }

    Optional<Expectation> parse(Node node) {
        int before = yaml.problems().size();
        Optional<Map<String, NodeTuple>> entries = yaml.mapping(node, "expect", KEYS);
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        // An unknown or duplicate key was already reported: "nothing to check" would only repeat it.
        boolean keysOk = yaml.problems().size() == before;
        List<Assertion> assertions = new ArrayList<>();
        int maxRows = Expectation.DEFAULT_MAX_ROWS;
        boolean ok = true;
        for (Map.Entry<String, NodeTuple> e : entries.get().entrySet()) {
            Node v = e.getValue().getValueNode();
            switch (e.getKey()) {
                case "rows" -> {
                    Optional<List<Comparison>> cs = comparisons(v, "expect.rows", true);
                    cs.ifPresent(list -> list.forEach(c -> assertions.add(new Assertion.RowCount(c))));
                    ok &= cs.isPresent();
                }
                case "value" -> {
                    Optional<List<Comparison>> cs = comparisons(v, "expect.value", false);
                    cs.ifPresent(list -> list.forEach(c -> assertions.add(new Assertion.ScalarValue(c))));
                    ok &= cs.isPresent();
                }
                case "empty" -> {
                    Optional<Boolean> b = yaml.bool(v, "expect.empty");
                    b.ifPresent(empty -> assertions.add(new Assertion.RowCount(
                            empty ? new Comparison(CompareOp.EQ, 0L) : new Comparison(CompareOp.GT, 0L))));
                    ok &= b.isPresent();
                }
                case "each" -> ok &= each(v, assertions);
                case "same" -> {
                    Optional<List<String>> cols = v instanceof SequenceNode
                            ? yaml.stringList(v, "expect.same")
                            : yaml.string(v, "expect.same").map(List::of);
                    cols.ifPresent(c -> assertions.add(new Assertion.SameValue(c)));
                    ok &= cols.isPresent();
                }
                case "max_rows" -> {
                    Optional<Long> n = yaml.positiveInteger(v, "expect.max_rows", 1);
                    if (n.isPresent()) {
                        maxRows = (int) Math.min(n.get(), 10_000);
                    }
                    ok &= n.isPresent();
                }
                default -> throw new IllegalStateException(e.getKey());
            }
        }
        if (ok && keysOk && assertions.isEmpty()) {
            yaml.problem(node, "expect has nothing to check: give rows, value, empty, each or same");
            return Optional.empty();
        }
        return ok && keysOk ? Optional.of(new Expectation(assertions, maxRows)) : Optional.empty();
    }

    private boolean each(Node node, List<Assertion> assertions) {
        Optional<Map<String, NodeTuple>> columns = yaml.mapping(node, "expect.each", null);
        if (columns.isEmpty()) {
            return false;
        }
        boolean ok = true;
        for (Map.Entry<String, NodeTuple> c : columns.get().entrySet()) {
            Optional<List<Comparison>> cs = comparisons(c.getValue().getValueNode(), "expect.each." + c.getKey(), false);
            cs.ifPresent(list -> list.forEach(cmp -> assertions.add(new Assertion.EachRow(c.getKey(), cmp))));
            ok &= cs.isPresent();
        }
        return ok;
    }

    /** A scalar means equality; a mapping gives one comparison per operator key. */
    private Optional<List<Comparison>> comparisons(Node node, String what, boolean integersOnly) {
        List<Comparison> out = new ArrayList<>();
        if (!(node instanceof MappingNode)) {
            return addOperand(node, what, CompareOp.EQ, integersOnly, out) ? Optional.of(out) : Optional.empty();
        }
        Optional<Map<String, NodeTuple>> ops = yaml.mapping(node, what, null);
        if (ops.isEmpty()) {
            return Optional.empty();
        }
        boolean ok = true;
        for (Map.Entry<String, NodeTuple> e : ops.get().entrySet()) {
            Optional<CompareOp> op = CompareOp.parse(e.getKey());
            if (op.isEmpty()) {
                yaml.problem(e.getValue().getKeyNode(), "unknown comparison '" + e.getKey() + "' in " + what
                        + "; use " + CompareOp.allowedKeys());
                ok = false;
                continue;
            }
            ok &= addOperand(e.getValue().getValueNode(), what + "." + e.getKey(), op.get(), integersOnly, out);
        }
        if (ok && out.isEmpty()) {
            yaml.problem(node, what + " has no comparison; use " + CompareOp.allowedKeys());
            return Optional.empty();
        }
        return ok ? Optional.of(out) : Optional.empty();
    }

    /** A row count, or a list of them, as Long values; empty when anything is not a whole number >= 0. */
    private static Optional<Object> rowCounts(Object value) {
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object o : list) {
                Optional<Long> n = YamlReader.asLong(o);
                if (n.isEmpty() || n.get() < 0) {
                    return Optional.empty();
                }
                out.add(n.get());
            }
            return Optional.of(out);
        }
        return YamlReader.asLong(value).filter(n -> n >= 0).map(n -> n);
    }

    /** Adds the comparison when its operand is valid; a YAML null means SQL NULL. */
    private boolean addOperand(Node node, String what, CompareOp op, boolean integersOnly, List<Comparison> out) {
        Optional<Object> v = yaml.value(node, what);
        if (v.isEmpty()) {
            return false;
        }
        Object value = v.get() == YamlReader.NULL ? null : v.get();
        boolean listOp = op == CompareOp.IN || op == CompareOp.NOT_IN;
        if (listOp != (value instanceof List)) {
            yaml.problem(node, what + (listOp ? " must be a list of values" : " must be a single value, not " + YamlReader.describeValue(value)));
            return false;
        }
        if (value instanceof Map) {
            yaml.problem(node, what + " must be a value, not a mapping");
            return false;
        }
        if (integersOnly) {
            Optional<Object> counts = rowCounts(value);
            if (counts.isEmpty()) {
                yaml.problem(node, what + " must be " + (listOp ? "a list of whole numbers of rows" : "a whole number of rows")
                        + ", got " + YamlReader.describeValue(value));
                return false;
            }
            value = counts.get();
        }
        out.add(new Comparison(op, value));
        return true;
    }
}
