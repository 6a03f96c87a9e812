package io.pgrunbook.runbook.load;

import io.pgrunbook.error.Suggest;
import io.pgrunbook.runbook.Condition;
import io.pgrunbook.runbook.OnFailure;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.RetryPolicy;
import io.pgrunbook.runbook.Severity;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.StepCatalog;
import io.pgrunbook.runbook.StepKind;
import io.pgrunbook.runbook.expect.Expectation;
import io.pgrunbook.runbook.sql.NamedSql;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads the {@code steps:} list, checking each step against its type and the runbook's targets and vars. */
final class StepParser {
    static final List<String> KEYS = List.of("id", "name", "type", "target", "targets", "parallel", "sql", "expect",
            "severity", "message", "timeout", "lock_timeout", "retries", "on_failure", "when", "with");
    static final List<String> RETRY_KEYS = List.of("count", "backoff", "max_backoff", "on");
    static final List<String> WHEN_KEYS = List.of("extension", "server_version", "sql");
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    static final String DEFAULT_TYPE = "sql";

    private final YamlReader yaml;
    private final StepCatalog catalog;
    private final Map<String, Object> vars;
    private final Set<String> targetNames;
    private final StepDefaults defaults;

    StepParser(YamlReader yaml, StepCatalog catalog, Map<String, Object> vars, Set<String> targetNames, StepDefaults defaults) {
        this.yaml = yaml;
        this.catalog = catalog;
        this.vars = vars;
        this.targetNames = targetNames;
        this.defaults = defaults;
    }

    List<Step> parse(Node node, String defaultTarget) {
        if (!(node instanceof SequenceNode seq)) {
            yaml.problem(node, "steps must be a list of steps (each starting with '- id: ...'), got " + YamlReader.describe(node));
            return List.of();
        }
        if (seq.getValue().isEmpty()) {
            yaml.problem(node, "steps is empty: a runbook needs at least one step");
        }
        List<Step> steps = new ArrayList<>();
        Map<String, Node> seenIds = new HashMap<>();
        for (Node item : seq.getValue()) {
            parseStep(item, defaultTarget, seenIds).ifPresent(steps::add);
        }
        return steps;
    }

    private Optional<Step> parseStep(Node node, String defaultTarget, Map<String, Node> seenIds) {
        Optional<Map<String, NodeTuple>> entries = yaml.mapping(node, "a step", KEYS);
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Map<String, NodeTuple> e = entries.get();
        int before = yaml.problems().list().size();

        String id = null;
        if (!e.containsKey("id")) {
            yaml.problem(node, "step has no id: every step needs a unique 'id'");
        } else {
            Node idNode = value(e, "id");
            id = yaml.string(idNode, "id").orElse(null);
            if (id != null && !ID.matcher(id).matches()) {
                yaml.problem(idNode, "step id '" + id + "' may contain only letters, digits, '.', '_' and '-'");
            } else if (id != null && seenIds.containsKey(id)) {
                yaml.problem(idNode, "duplicate step id '" + id + "' (first used at line " + yaml.at(seenIds.get(id)).line() + ")");
            } else if (id != null) {
                seenIds.put(id, idNode);
            }
        }
        String what = id == null ? "step" : "step '" + id + "'";

        String type = e.containsKey("type") ? yaml.string(value(e, "type"), "type").orElse(null) : DEFAULT_TYPE;
        StepKind kind = null;
        if (type != null) {
            kind = catalog.find(type).orElse(null);
            if (kind == null) {
                yaml.problem(value(e, "type"), "unknown step type '" + type + "'" + Suggest.hint(type, catalog.names()));
            }
        }

        String name = e.containsKey("name") ? yaml.string(value(e, "name"), what + " name").orElse(null) : null;
        String message = e.containsKey("message") ? yaml.string(value(e, "message"), what + " message").orElse(null) : null;

        List<String> targets = targets(e, what, defaultTarget);
        boolean fanOut = e.containsKey("targets");
        int parallel = e.containsKey("parallel")
                ? yaml.positiveInteger(value(e, "parallel"), "parallel", 1).map(Long::intValue).orElse(1)
                : defaults.parallel();

        NamedSql sql = sql(e, node, kind, what);
        Expectation expect = null;
        if (e.containsKey("expect")) {
            if (kind != null && !kind.acceptsExpect()) {
                yaml.problem(value(e, "expect"), "step type '" + kind.name() + "' does not take expect");
            } else {
                expect = new ExpectationParser(yaml).parse(value(e, "expect")).orElse(null);
            }
        }

        Severity severity = e.containsKey("severity") ? severity(value(e, "severity")).orElse(defaults.severity()) : defaults.severity();
        Duration timeout = e.containsKey("timeout") ? yaml.duration(value(e, "timeout"), "timeout").orElse(defaults.timeout()) : defaults.timeout();
        Duration lockTimeout = e.containsKey("lock_timeout")
                ? yaml.duration(value(e, "lock_timeout"), "lock_timeout").orElse(defaults.lockTimeout())
                : defaults.lockTimeout();
        RetryPolicy retry = e.containsKey("retries") ? retries(value(e, "retries")).orElse(defaults.retry()) : defaults.retry();
        OnFailure onFailure = e.containsKey("on_failure") ? onFailure(value(e, "on_failure")).orElse(defaults.onFailure()) : defaults.onFailure();
        Condition when = e.containsKey("when") ? condition(value(e, "when")).orElse(null) : null;
        Map<String, Object> with = e.containsKey("with") ? with(value(e, "with"), kind, what) : Map.of();
        if (!e.containsKey("with") && kind != null) {
            for (ParamSpec p : kind.parameters()) {
                if (p.required()) {
                    yaml.problem(node, what + " of type '" + kind.name() + "' needs with." + p.name() + " (" + p.description() + ")");
                }
            }
        }

        if (yaml.problems().list().size() > before || id == null || kind == null) {
            return Optional.empty();
        }
        Step step = new Step(id, name, kind.name(), targets, fanOut, parallel, sql, with, expect, severity, message,
                timeout, lockTimeout, retry, onFailure, when, yaml.at(node));
        kind.validate(step, targetNames, yaml.problems());
        return Optional.of(step);
    }

    private List<String> targets(Map<String, NodeTuple> e, String what, String defaultTarget) {
        if (e.containsKey("target") && e.containsKey("targets")) {
            yaml.problem(e.get("targets").getKeyNode(), what + " gives both target and targets; use target for one, targets for a fan-out");
            return List.of(defaultTarget);
        }
        if (e.containsKey("target")) {
            Node n = value(e, "target");
            return yaml.string(n, "target").map(t -> checkTargets(n, List.of(t))).orElse(List.of(defaultTarget));
        }
        if (e.containsKey("targets")) {
            Node n = value(e, "targets");
            Optional<List<String>> list = yaml.stringList(n, "targets");
            if (list.isPresent() && list.get().isEmpty()) {
                yaml.problem(n, "targets is empty: name at least one target");
            }
            return list.map(l -> checkTargets(n, l)).orElse(List.of(defaultTarget));
        }
        return List.of(defaultTarget);
    }

    private List<String> checkTargets(Node node, List<String> names) {
        for (String t : names) {
            if (!targetNames.contains(t)) {
                yaml.problem(node, "unknown target '" + t + "'" + Suggest.hint(t, targetNames));
            }
        }
        if (names.stream().distinct().count() != names.size()) {
            yaml.problem(node, "a target is listed twice");
        }
        return names;
    }

    private NamedSql sql(Map<String, NodeTuple> e, Node stepNode, StepKind kind, String what) {
        if (!e.containsKey("sql")) {
            if (kind != null && kind.sqlUse() == StepKind.SqlUse.REQUIRED) {
                yaml.problem(stepNode, what + " has no sql: a step of type '" + kind.name() + "' needs the statement to run");
            }
            return null;
        }
        Node n = value(e, "sql");
        if (kind != null && kind.sqlUse() == StepKind.SqlUse.NONE) {
            yaml.problem(n, "step type '" + kind.name() + "' does not take sql");
            return null;
        }
        return parseSql(n, what + " sql").orElse(null);
    }

    /** Parses SQL and checks every :parameter names a variable; ${...} is refused, never spliced. */
    Optional<NamedSql> parseSql(Node n, String what) {
        Optional<String> text = yaml.rawString(n, what);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (text.get().isBlank()) {
            yaml.problem(n, what + " is empty");
            return Optional.empty();
        }
        boolean ok = true;
        SqlTemplates.Expansion expanded = SqlTemplates.expand(text.get(), vars);
        Map<String, Integer> tokens = new HashMap<>();
        for (SqlTemplates.Fault f : expanded.faults()) {
            yaml.problems().add(yaml.atToken(n, f.token(), tokens.merge(f.token(), 1, Integer::sum) - 1), f.message());
            ok = false;
        }
        NamedSql sql = NamedSql.parse(expanded.sql());
        Map<String, Integer> seen = new HashMap<>();
        for (String p : sql.parameters()) {
            int occurrence = seen.merge(p, 1, Integer::sum) - 1;
            if (!vars.containsKey(p)) {
                yaml.problems().add(yaml.atPlaceholder(n, p, occurrence), "undefined variable ':" + p + "' in SQL"
                        + Suggest.nearest(p, vars.keySet()).map(s -> "; did you mean ':" + s + "'?")
                                .orElse("; declare it under vars: or pass --set " + p + "=..."));
                ok = false;
            }
        }
        return ok ? Optional.of(sql) : Optional.empty();
    }

    private Optional<Severity> severity(Node n) {
        return yaml.string(n, "severity").flatMap(s -> {
            try {
                return Optional.of(Severity.valueOf(s.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException ex) {
                yaml.problem(n, "severity must be critical or warning, got '" + s + "'");
                return Optional.empty();
            }
        });
    }

    Optional<OnFailure> onFailure(Node n) {
        return yaml.string(n, "on_failure").flatMap(s -> {
            try {
                return Optional.of(OnFailure.valueOf(s.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException ex) {
                yaml.problem(n, "on_failure must be stop or continue, got '" + s + "'");
                return Optional.empty();
            }
        });
    }

    /** {@code retries: 3} or {@code retries: { count: 3, backoff: 1s, max_backoff: 30s, on: [error, fail] }}. */
    Optional<RetryPolicy> retries(Node n) {
        if (n instanceof ScalarNode) {
            return yaml.positiveInteger(n, "retries", 0).map(c -> new RetryPolicy(c.intValue(),
                    RetryPolicy.NONE.backoff(), RetryPolicy.NONE.maxBackoff(), false));
        }
        Optional<Map<String, NodeTuple>> e = yaml.mapping(n, "retries", RETRY_KEYS);
        if (e.isEmpty()) {
            return Optional.empty();
        }
        Map<String, NodeTuple> m = e.get();
        int count = m.containsKey("count") ? yaml.positiveInteger(value(m, "count"), "retries.count", 0).map(Long::intValue).orElse(0) : 1;
        Duration backoff = m.containsKey("backoff") ? yaml.duration(value(m, "backoff"), "retries.backoff").orElse(RetryPolicy.NONE.backoff()) : RetryPolicy.NONE.backoff();
        Duration max = m.containsKey("max_backoff") ? yaml.duration(value(m, "max_backoff"), "retries.max_backoff").orElse(RetryPolicy.NONE.maxBackoff()) : RetryPolicy.NONE.maxBackoff();
        boolean onError = true;
        boolean onFail = false;
        if (m.containsKey("on")) {
            Node on = value(m, "on");
            List<String> kinds = on instanceof SequenceNode ? yaml.stringList(on, "retries.on").orElse(List.of())
                    : yaml.string(on, "retries.on").map(List::of).orElse(List.of());
            onError = kinds.contains("error");
            onFail = kinds.contains("fail");
            for (String k : kinds) {
                if (!k.equals("error") && !k.equals("fail")) {
                    yaml.problem(on, "retries.on takes error and/or fail, got '" + k + "'");
                }
            }
            if (kinds.isEmpty()) {
                yaml.problem(on, "retries.on is empty: give error, fail or both");
            }
        }
        return Optional.of(new RetryPolicy(count, backoff, max.compareTo(backoff) < 0 ? backoff : max, onError, onFail));
    }

    private Optional<Condition> condition(Node n) {
        Optional<Map<String, NodeTuple>> e = yaml.mapping(n, "when", WHEN_KEYS);
        if (e.isEmpty()) {
            return Optional.empty();
        }
        Map<String, NodeTuple> m = e.get();
        String extension = m.containsKey("extension") ? yaml.string(value(m, "extension"), "when.extension").orElse(null) : null;
        Integer version = m.containsKey("server_version")
                ? yaml.positiveInteger(value(m, "server_version"), "when.server_version", 9).map(Long::intValue).orElse(null)
                : null;
        NamedSql sql = m.containsKey("sql") ? parseSql(value(m, "sql"), "when.sql").orElse(null) : null;
        Condition c = new Condition(extension, version, sql);
        if (c.isEmpty() && m.isEmpty()) {
            yaml.problem(n, "when has no condition; use extension, server_version or sql");
        }
        return Optional.of(c);
    }

    private Map<String, Object> with(Node n, StepKind kind, String what) {
        if (kind == null) {
            return Map.of();
        }
        List<String> names = kind.parameters().stream().map(ParamSpec::name).toList();
        if (names.isEmpty()) {
            yaml.problem(n, "step type '" + kind.name() + "' takes no with: parameters");
            return Map.of();
        }
        Optional<Map<String, NodeTuple>> e = yaml.mapping(n, "with", names);
        if (e.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParamSpec p : kind.parameters()) {
            NodeTuple t = e.get().get(p.name());
            if (t == null) {
                if (p.required()) {
                    yaml.problem(n, what + " needs with." + p.name() + " (" + p.description() + ")");
                }
                continue;
            }
            yaml.typed(t.getValueNode(), "with." + p.name(), p.kind()).ifPresent(v -> out.put(p.name(), v));
        }
        return out;
    }

    private static Node value(Map<String, NodeTuple> entries, String key) {
        return entries.get(key).getValueNode();
    }
}
