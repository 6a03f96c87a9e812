package io.pgrunbook.runbook.load;

import io.pgrunbook.error.Suggest;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.SourceLocation;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.runbook.sql.NamedSql;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed, located access to a composed YAML tree. Every accessor reports what is wrong to
 * {@link Problems} and returns empty, so the loader carries on and reports everything at once.
 */
final class YamlReader {
    private final String file;
    private final String source;
    private final Problems problems;
    private Interpolator interpolator;

    private Map<String, String> overrides = Map.of();

    YamlReader(String file, String source, Problems problems) {
        this.file = file;
        this.source = source;
        this.problems = problems;
    }

    void useInterpolator(Interpolator interpolator) {
        this.interpolator = interpolator;
    }

    Problems problems() {
        return problems;
    }

    String file() {
        return file;
    }

    SourceLocation at(Node node) {
        return at(node.getStartMark());
    }

    SourceLocation at(Mark mark) {
        return mark == null ? SourceLocation.unknown(file) : new SourceLocation(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    SourceLocation atIndex(int index) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < index && i < source.length(); i++) {
            if (source.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new SourceLocation(file, line, index - lineStart + 1);
    }

    /** Where the n-th occurrence (0-based) of {@code token} lies inside a scalar, else the scalar's start. */
    SourceLocation atToken(Node node, String token, int occurrence) {
        int from = node.getStartMark().getIndex();
        int to = Math.min(source.length(), node.getEndMark().getIndex());
        int found = -1;
        int at = from;
        for (int n = 0; n <= occurrence; n++) {
            found = source.indexOf(token, at);
            if (found < 0 || found >= to) {
                return at(node);
            }
            at = found + token.length();
        }
        return atIndex(found);
    }

    /**
     * Where the n-th occurrence (0-based) of the {@code :name} placeholder lies inside a SQL scalar. The SQL is
     * read again where it stands in the file, so a longer name ({@code :limits}), a cast ({@code x::limit}), a
     * comment or a literal holding the same text is not taken for it; falls back to {@link #atToken}.
     */
    SourceLocation atPlaceholder(Node node, String name, int occurrence) {
        int from = node.getStartMark().getIndex();
        int to = Math.min(source.length(), node.getEndMark().getIndex());
        if (node instanceof ScalarNode s && (s.getScalarStyle() == DumperOptions.ScalarStyle.DOUBLE_QUOTED
                || s.getScalarStyle() == DumperOptions.ScalarStyle.SINGLE_QUOTED)) {
            from++; // the opening quote would read as the start of a quoted identifier or literal
        }
        if (from < to) {
            NamedSql inPlace = NamedSql.parse(source.substring(from, to));
            int seen = 0;
            for (int i = 0; i < inPlace.parameters().size(); i++) {
                if (inPlace.parameters().get(i).equals(name) && seen++ == occurrence) {
                    return atIndex(from + inPlace.offsets().get(i));
                }
            }
        }
        return atToken(node, ":" + name, occurrence);
    }

    void problem(Node node, String message) {
        if (node instanceof ScalarNode scalar && !overrides.isEmpty()) {
            // a bad value given with --set is the --set's fault, not the line that uses it
            for (Map.Entry<String, String> set : overrides.entrySet()) {
                if (scalar.getValue().contains("${" + set.getKey() + "}")) {
                    problems.add(SourceLocation.unknown("--set " + set.getKey() + "=" + set.getValue()), message + " (the value is used at "
                            + at(node) + ")");
                    return;
                }
            }
        }
        problems.add(at(node), message);
    }

    /** The variables given with --set, so that a problem with their value names the --set. */
    void useOverrides(Map<String, String> sets) {
        overrides = Map.copyOf(sets);
    }

    /** The entries of a mapping, in order; reports non-mappings, duplicate and unknown keys. */
    Optional<Map<String, NodeTuple>> mapping(Node node, String what, Collection<String> allowedKeys) {
        if (!(node instanceof MappingNode mapping)) {
            problem(node, what + " must be a mapping (key: value), got " + describe(node));
            return Optional.empty();
        }
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                problem(tuple.getKeyNode(), "keys of " + what + " must be plain names");
                continue;
            }
            String key = keyNode.getValue();
            if (entries.containsKey(key)) {
                problem(keyNode, "duplicate key '" + key + "' in " + what + " (first at line "
                        + at(entries.get(key).getKeyNode()).line() + ")");
                continue;
            }
            if (allowedKeys != null && !allowedKeys.contains(key)) {
                problem(keyNode, "unknown key '" + key + "' in " + what + Suggest.hint(key, allowedKeys));
                continue;
            }
            entries.put(key, tuple);
        }
        return Optional.of(entries);
    }

    /** The raw text of a scalar with no variable expansion (SQL). */
    Optional<String> rawString(Node node, String what) {
        if (node instanceof ScalarNode scalar && !scalar.getTag().equals(Tag.NULL)) {
            return Optional.of(scalar.getValue());
        }
        problem(node, what + " must be a string, got " + describe(node));
        return Optional.empty();
    }

    Optional<String> string(Node node, String what) {
        return value(node, what).flatMap(v -> {
            if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                return Optional.of(String.valueOf(v));
            }
            problem(node, what + " must be a string, got " + describeValue(v));
            return Optional.empty();
        });
    }

    Optional<Long> integer(Node node, String what) {
        return value(node, what).flatMap(v -> {
            Optional<Long> n = asLong(v);
            if (n.isEmpty()) {
                problem(node, what + " must be an integer, got " + describeValue(v));
            }
            return n;
        });
    }

    Optional<Long> positiveInteger(Node node, String what, long min) {
        return integer(node, what).flatMap(n -> {
            if (n < min) {
                problem(node, what + " must be at least " + min + ", got " + n);
                return Optional.empty();
            }
            return Optional.of(n);
        });
    }

    Optional<Boolean> bool(Node node, String what) {
        return value(node, what).flatMap(v -> {
            Optional<Boolean> b = asBoolean(v);
            if (b.isEmpty()) {
                problem(node, what + " must be true or false, got " + describeValue(v));
            }
            return b;
        });
    }

    Optional<Duration> duration(Node node, String what) {
        return value(node, what).flatMap(v -> {
            Optional<Duration> d = v instanceof String || v instanceof Number ? Durations.parse(String.valueOf(v)) : Optional.empty();
            if (d.isEmpty()) {
                problem(node, what + " must be " + ValueKind.DURATION.description() + ", got " + describeValue(v));
            }
            return d;
        });
    }

    Optional<List<String>> stringList(Node node, String what) {
        return value(node, what).flatMap(v -> {
            Optional<List<String>> list = asStringList(v);
            if (list.isEmpty()) {
                problem(node, what + " must be a list of strings, got " + describeValue(v));
            }
            return list;
        });
    }

    /** A value of the given kind, or empty after reporting a type mismatch. */
    Optional<Object> typed(Node node, String what, ValueKind kind) {
        return switch (kind) {
            case STRING -> string(node, what).map(s -> s);
            case INTEGER -> integer(node, what).map(n -> n);
            case NUMBER -> value(node, what).flatMap(v -> {
                if (v instanceof Number) {
                    return Optional.of(v);
                }
                problem(node, what + " must be a number, got " + describeValue(v));
                return Optional.empty();
            });
            case BOOLEAN -> bool(node, what).map(b -> b);
            case DURATION -> duration(node, what).map(d -> d);
            case STRING_LIST -> stringList(node, what).map(l -> l);
            case MAP -> value(node, what).flatMap(v -> {
                if (v instanceof Map) {
                    return Optional.of(v);
                }
                problem(node, what + " must be a mapping, got " + describeValue(v));
                return Optional.empty();
            });
            case ANY -> value(node, what).filter(v -> v != NULL);
        };
    }

    /** A plain value: String, Long, BigDecimal, Boolean, null, List or Map, with strings expanded. */
    Optional<Object> value(Node node, String what) {
        if (node instanceof ScalarNode scalar) {
            Object v = scalarValue(scalar);
            if (v instanceof String s && interpolator != null) {
                return interpolator.expand(s, msg -> problem(node, what + ": " + msg));
            }
            return Optional.ofNullable(v).or(() -> Optional.of(NULL));
        }
        if (node instanceof SequenceNode seq) {
            List<Object> out = new ArrayList<>();
            boolean ok = true;
            for (Node item : seq.getValue()) {
                Optional<Object> v = value(item, what);
                ok &= v.isPresent();
                v.ifPresent(x -> out.add(x == NULL ? null : x));
            }
            return ok ? Optional.of(out) : Optional.empty();
        }
        Optional<Map<String, NodeTuple>> entries = mapping(node, what, null);
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        boolean ok = true;
        for (Map.Entry<String, NodeTuple> e : entries.get().entrySet()) {
            if (e.getKey().equals("sql")) {
                // SQL inside a step type's parameters follows the rule of a step's own sql: never expanded.
                Optional<String> sql = embeddedSql(e.getValue().getValueNode(), what + ".sql");
                ok &= sql.isPresent();
                sql.ifPresent(x -> out.put("sql", x));
                continue;
            }
            Optional<Object> v = value(e.getValue().getValueNode(), what + "." + e.getKey());
            ok &= v.isPresent();
            v.ifPresent(x -> out.put(e.getKey(), x == NULL ? null : x));
        }
        return ok ? Optional.of(out) : Optional.empty();
    }

    /** SQL given as a parameter: taken as written, and a {@code ${...}} in it is refused, never spliced. */
    private Optional<String> embeddedSql(Node node, String what) {
        Optional<String> text = rawString(node, what);
        if (text.isPresent() && text.get().contains("${")) {
            problems.add(atToken(node, "${", 0), "'${...}' in SQL given as a parameter is never expanded: write :name for a "
                    + "value (a bind parameter); ${ident:name} and ${literal:name} work in a step's sql: key");
            return Optional.empty();
        }
        return text;
    }

    /** Stands for YAML null inside Optional; callers of value() map it back to null. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    static Object scalarValue(ScalarNode scalar) {
        String text = scalar.getValue();
        Tag tag = scalar.getTag();
        try {
            if (tag.equals(Tag.INT)) {
                BigInteger big = new BigInteger(text.replace("_", ""));
                return big.bitLength() < 64 ? (Object) big.longValue() : big;
            }
            if (tag.equals(Tag.FLOAT)) {
                return new BigDecimal(text.replace("_", ""));
            }
        } catch (NumberFormatException e) {
            return text;
        }
        if (tag.equals(Tag.BOOL)) {
            String t = text.toLowerCase(java.util.Locale.ROOT);
            return t.equals("true") || t.equals("yes") || t.equals("on") || t.equals("y");
        }
        if (tag.equals(Tag.NULL)) {
            return null;
        }
        return text;
    }

    static Optional<Long> asLong(Object v) {
        if (v instanceof Long l) {
            return Optional.of(l);
        }
        if (v instanceof Integer i) {
            return Optional.of(i.longValue());
        }
        if (v instanceof String s) {
            try {
                return Optional.of(Long.parseLong(s.trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    static Optional<Boolean> asBoolean(Object v) {
        if (v instanceof Boolean b) {
            return Optional.of(b);
        }
        if (v instanceof String s) {
            return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "true", "yes", "on" -> Optional.of(true);
                case "false", "no", "off" -> Optional.of(false);
                default -> Optional.empty();
            };
        }
        return Optional.empty();
    }

    static Optional<List<String>> asStringList(Object v) {
        if (v instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (Object o : list) {
                if (o instanceof Map || o instanceof List || o == null) {
                    return Optional.empty();
                }
                out.add(String.valueOf(o));
            }
            return Optional.of(out);
        }
        return Optional.empty();
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (node instanceof ScalarNode s) {
            return s.getTag().equals(Tag.NULL) ? "nothing" : "'" + s.getValue() + "'";
        }
        return "something else";
    }

    static String describeValue(Object v) {
        if (v == null || v == NULL) {
            return "nothing";
        }
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        return "'" + v + "'";
    }
}
