package io.pgrunbook.steps.loadtest;

import io.pgrunbook.runbook.sql.NamedSql;
import io.pgrunbook.steps.loadtest.Scenario.Arrivals;
import io.pgrunbook.steps.loadtest.Scenario.DataLoad;
import io.pgrunbook.steps.loadtest.Scenario.ExpectedError;
import io.pgrunbook.steps.loadtest.Scenario.Model;
import io.pgrunbook.steps.loadtest.Scenario.Operation;
import io.pgrunbook.steps.loadtest.Scenario.Scope;
import io.pgrunbook.steps.loadtest.Scenario.ShardSpec;
import io.pgrunbook.steps.loadtest.Scenario.Slos;
import io.pgrunbook.steps.loadtest.Scenario.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the step's {@code with:} into a {@link Scenario}, refusing what cannot run as written:
 * weights that do not add up to 100, parameters no generator binds, an open model without a rate.
 * Parsing builds fresh generators, so each run starts its sequences again.
 */
public final class ScenarioParser {
    static final List<String> BUILT_INS = List.of("tenant", "install", "namespace");
    static final List<String> OPERATION_KEYS = List.of("class", "weight", "sql", "chain", "transaction", "params", "expect_errors");
    static final List<String> DATA_KEYS = List.of("name", "rows", "sql", "params", "skip_if", "batch");
    static final List<String> WORKLOAD_KEYS = List.of("model", "rate", "rate_per_install", "arrivals", "connections", "duration",
            "warmup", "ramp_up", "max_backlog", "max_operations");
    static final List<String> SLO_KEYS = List.of("p95", "p99", "max_error_rate", "max_deadlocks", "max_serialization_failures",
            "max_shard_share", "expected_errors_at_least", "min_achieved_rate");
    static final Duration MAX_DURATION = Duration.ofHours(24);
    static final int MAX_CONNECTIONS = 1000;
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:/\\s*(s|sec|second|min|minute|h|hour))?");

    private ScenarioParser() {}

    public static Scenario parse(Map<String, Object> with) {
        long seed = Scenarios.longValue("seed", with.get("seed"), 1L);
        Scope scope = scope(with.get("scope"));
        Map<String, Generator> shared = params("params", with.get("params"));
        List<DataLoad> data = data(with.get("data"));
        List<Operation> operations = operations(with.get("operations"), shared);
        Workload workload = workload(with.get("workload"), scope);
        ShardSpec shard = shard(with.get("shard"), operations);
        Slos slos = slos(with.get("slos"), operations, workload, shard);
        String log = with.get("histogram_log") == null || String.valueOf(with.get("histogram_log")).isBlank()
                ? null : String.valueOf(with.get("histogram_log"));
        String html = optionalString(with, "html_report");
        String baseline = optionalString(with, "baseline");
        double tolerance = with.get("baseline_tolerance") == null ? Scenario.DEFAULT_BASELINE_TOLERANCE
                : Scenarios.doubleValue("baseline_tolerance", with.get("baseline_tolerance"), null);
        if (tolerance < 0 || tolerance > 100) {
            throw new ScenarioException("baseline_tolerance: a fraction of the baseline p95 (0.2 allows 20 % slower), not " + tolerance);
        }
        return new Scenario(seed, scope, data, operations, workload, shard, slos, log, html, baseline, tolerance);
    }

    private static String optionalString(Map<String, Object> with, String key) {
        Object v = with.get(key);
        return v == null || String.valueOf(v).isBlank() ? null : String.valueOf(v);
    }

    private static Scope scope(Object value) {
        if (value == null) {
            return new Scope(1, 1, 1);
        }
        Map<?, ?> m = Scenarios.map("scope", value);
        Scenarios.onlyKeys("scope", m, List.of("tenants", "installs", "namespaces"));
        long tenants = Scenarios.positive("scope.tenants", m.get("tenants"), 1L);
        long installs = Scenarios.positive("scope.installs", m.get("installs"), 1L);
        long namespaces = Scenarios.positive("scope.namespaces", m.get("namespaces"), 1L);
        if (tenants * installs > 10_000_000 || namespaces > 1_000_000) {
            throw new ScenarioException("scope: at most 10,000,000 installs and 1,000,000 namespaces per install");
        }
        return new Scope((int) tenants, (int) installs, (int) namespaces);
    }

    private static Map<String, Generator> params(String path, Object value) {
        Map<String, Generator> out = new LinkedHashMap<>();
        if (value == null) {
            return out;
        }
        Scenarios.map(path, value).forEach((k, v) -> {
            String name = String.valueOf(k);
            if (BUILT_INS.contains(name)) {
                throw new ScenarioException(path + "." + name + ": '" + name + "' is bound by the scope; name the parameter otherwise");
            }
            out.put(name, Generators.parse(path + "." + name, v));
        });
        return out;
    }

    private static List<DataLoad> data(Object value) {
        List<DataLoad> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        List<?> loads = Scenarios.list("data", value);
        for (int i = 0; i < loads.size(); i++) {
            String at = "data[" + i + "]";
            Map<?, ?> m = Scenarios.map(at, loads.get(i));
            Scenarios.onlyKeys(at, m, DATA_KEYS);
            String name = Scenarios.string(at + ".name", m.get("name"), "load-" + (i + 1));
            at = "data." + name;
            long rows = Scenarios.longValue(at + ".rows", m.get("rows"), null);
            if (rows < 0 || rows > 100_000_000) {
                throw new ScenarioException(at + ".rows: between 0 and 100,000,000, not " + rows);
            }
            int batch = (int) Scenarios.positive(at + ".batch", m.get("batch"), 500L);
            Map<String, Generator> params = params(at + ".params", m.get("params"));
            NamedSql sql = sql(at + ".sql", m.get("sql"), params.keySet(), List.of());
            NamedSql skipIf = m.get("skip_if") == null ? null : sql(at + ".skip_if", m.get("skip_if"), Set.of(), List.of());
            out.add(new DataLoad(name, rows, sql, skipIf, params, Math.min(batch, 10_000)));
        }
        return out;
    }

    private static List<Operation> operations(Object value, Map<String, Generator> shared) {
        if (value == null) {
            throw new ScenarioException("operations is required: a mapping from an operation's name to its sql, weight and params");
        }
        Map<?, ?> ops = Scenarios.map("operations", value);
        if (ops.isEmpty()) {
            throw new ScenarioException("operations: name at least one operation");
        }
        List<Operation> out = new ArrayList<>();
        double total = 0;
        for (Map.Entry<?, ?> e : ops.entrySet()) {
            String name = String.valueOf(e.getKey());
            String at = "operations." + name;
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
                throw new ScenarioException(at + ": an operation's name is letters, digits, '.', '_' and '-'");
            }
            Map<?, ?> m = Scenarios.map(at, e.getValue());
            Scenarios.onlyKeys(at, m, OPERATION_KEYS);
            String opClass = Scenarios.string(at + ".class", m.get("class"), "read");
            if (!List.of("read", "write").contains(opClass)) {
                throw new ScenarioException(at + ".class: read or write, not '" + opClass + "'");
            }
            double weight = Scenarios.doubleValue(at + ".weight", m.get("weight"), null);
            if (weight < 0) {
                throw new ScenarioException(at + ".weight: a percentage of 0 or more, not " + weight);
            }
            total += weight;
            Map<String, Generator> params = new LinkedHashMap<>(shared);
            params.putAll(params(at + ".params", m.get("params")));
            if ((m.get("sql") == null) == (m.get("chain") == null)) {
                throw new ScenarioException(at + ": give either sql (one statement) or chain (statements run one after the other)");
            }
            List<NamedSql> chain = new ArrayList<>();
            if (m.get("sql") != null) {
                chain.add(sql(at + ".sql", m.get("sql"), params.keySet(), BUILT_INS));
            } else {
                List<?> links = Scenarios.list(at + ".chain", m.get("chain"));
                if (links.isEmpty()) {
                    throw new ScenarioException(at + ".chain: at least one statement");
                }
                for (int i = 0; i < links.size(); i++) {
                    chain.add(sql(at + ".chain[" + i + "]", links.get(i), params.keySet(), BUILT_INS));
                }
            }
            boolean transaction = Scenarios.bool(at + ".transaction", m.get("transaction"), chain.size() > 1);
            out.add(new Operation(name, opClass, weight, chain, transaction, params, expectedErrors(at + ".expect_errors", m.get("expect_errors"))));
        }
        if (Math.abs(total - 100.0) > 1e-6) {
            StringBuilder weights = new StringBuilder();
            out.forEach(o -> weights.append(weights.isEmpty() ? "" : " + ").append(trim(o.weight())));
            throw new ScenarioException("operations: the weights are percentages and must add up to 100; they add up to " + trim(total)
                    + " (" + weights + ")");
        }
        return out;
    }

    private static List<ExpectedError> expectedErrors(String at, Object value) {
        List<ExpectedError> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        List<?> items = Scenarios.list(at, value);
        for (int i = 0; i < items.size(); i++) {
            String p = at + "[" + i + "]";
            Map<?, ?> m = Scenarios.map(p, items.get(i));
            Scenarios.onlyKeys(p, m, List.of("sqlstate", "message"));
            String state = m.get("sqlstate") == null ? null : String.valueOf(m.get("sqlstate"));
            String message = m.get("message") == null ? null : String.valueOf(m.get("message"));
            if (state == null && message == null) {
                throw new ScenarioException(p + ": give sqlstate, message (a fragment of it), or both");
            }
            if (state != null && !state.matches("[0-9A-Z]{5}")) {
                throw new ScenarioException(p + ".sqlstate: five characters such as 53400 or 40P01, not '" + state + "' (quote it in YAML)");
            }
            out.add(new ExpectedError(state, message));
        }
        return out;
    }

    private static NamedSql sql(String at, Object value, Set<String> params, List<String> builtIns) {
        String text = Scenarios.string(at, value, null);
        if (text.isBlank()) {
            throw new ScenarioException(at + ": empty SQL");
        }
        NamedSql sql = NamedSql.parse(text);
        Set<String> unbound = new TreeSet<>(sql.distinctParameters());
        unbound.removeAll(params);
        builtIns.forEach(unbound::remove);
        if (!unbound.isEmpty()) {
            List<String> known = new ArrayList<>(builtIns);
            known.addAll(params);
            throw new ScenarioException(at + ": no generator binds :" + String.join(", :", unbound)
                    + (known.isEmpty() ? " (add it under params)" : " (bound here: " + String.join(", ", known) + "; add the others under params)"));
        }
        return sql;
    }

    private static Workload workload(Object value, Scope scope) {
        Map<?, ?> m = value == null ? Map.of() : Scenarios.map("workload", value);
        Scenarios.onlyKeys("workload", m, WORKLOAD_KEYS);
        String modelText = Scenarios.string("workload.model", m.get("model"), "open");
        Model model = switch (modelText) {
            case "open" -> Model.OPEN;
            case "closed" -> Model.CLOSED;
            default -> throw new ScenarioException("workload.model: open (a target rate) or closed (connections as fast as they go), not '" + modelText + "'");
        };
        double rate = 0;
        String rateText = null;
        if (model == Model.OPEN) {
            if ((m.get("rate") == null) == (m.get("rate_per_install") == null)) {
                throw new ScenarioException("workload: an open model needs rate (in total, e.g. 500/s) or rate_per_install (e.g. 200/min)");
            }
            if (m.get("rate") != null) {
                rateText = String.valueOf(m.get("rate"));
                rate = rate("workload.rate", m.get("rate"));
            } else {
                rateText = m.get("rate_per_install") + " per install x " + scope.totalInstalls() + " installs";
                rate = rate("workload.rate_per_install", m.get("rate_per_install")) * scope.totalInstalls();
            }
            if (rate > 1_000_000) {
                throw new ScenarioException("workload: a total rate of " + trim(rate) + "/s is beyond what one client can schedule (at most 1,000,000/s)");
            }
        } else if (m.get("rate") != null || m.get("rate_per_install") != null) {
            throw new ScenarioException("workload: a closed model runs as fast as it can; remove rate or use model: open");
        }
        String arrivalsText = Scenarios.string("workload.arrivals", m.get("arrivals"), "poisson");
        Arrivals arrivals = switch (arrivalsText) {
            case "poisson" -> Arrivals.POISSON;
            case "uniform" -> Arrivals.UNIFORM;
            default -> throw new ScenarioException("workload.arrivals: poisson or uniform, not '" + arrivalsText + "'");
        };
        int connections = (int) Scenarios.positive("workload.connections", m.get("connections"), 8L);
        if (connections > MAX_CONNECTIONS) {
            throw new ScenarioException("workload.connections: at most " + MAX_CONNECTIONS + ", not " + connections);
        }
        Duration duration = Scenarios.duration("workload.duration", m.get("duration"), Duration.ofSeconds(60));
        Duration warmup = Scenarios.duration("workload.warmup", m.get("warmup"), Duration.ZERO);
        Duration rampUp = Scenarios.duration("workload.ramp_up", m.get("ramp_up"), Duration.ZERO);
        if (duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new ScenarioException("workload.duration: above 0 and at most 24h, not " + duration);
        }
        if (warmup.compareTo(MAX_DURATION) > 0 || rampUp.compareTo(warmup.plus(duration)) > 0) {
            throw new ScenarioException("workload: warmup at most 24h, ramp_up at most warmup + duration");
        }
        int backlog = (int) Scenarios.positive("workload.max_backlog", m.get("max_backlog"), 10_000L);
        long maxOps = Scenarios.positive("workload.max_operations", m.get("max_operations"), 100_000_000L);
        return new Workload(model, rate, rateText, arrivals, connections, duration, warmup, rampUp, backlog, maxOps);
    }

    /** 500, "500/s", "200/min", "1000/h": operations per second. */
    static double rate(String at, Object value) {
        Matcher r = RATE.matcher(String.valueOf(value).strip());
        if (!r.matches()) {
            throw new ScenarioException(at + ": a rate such as 500/s, 200/min or 1000/h, not " + Scenarios.describe(value));
        }
        double n = Double.parseDouble(r.group(1));
        String unit = r.group(2) == null ? "s" : r.group(2);
        double perSecond = switch (unit) {
            case "min", "minute" -> n / 60.0;
            case "h", "hour" -> n / 3600.0;
            default -> n;
        };
        if (!(perSecond > 0)) {
            throw new ScenarioException(at + ": a rate above 0, not " + value);
        }
        return perSecond;
    }

    private static ShardSpec shard(Object value, List<Operation> operations) {
        if (value == null) {
            return null;
        }
        Map<?, ?> m = Scenarios.map("shard", value);
        Scenarios.onlyKeys("shard", m, List.of("key", "shards", "citus_table"));
        String key = Scenarios.string("shard.key", m.get("key"), null);
        String citusTable = m.get("citus_table") == null ? null : Scenarios.string("shard.citus_table", m.get("citus_table"), null);
        if ((citusTable == null) == (m.get("shards") == null)) {
            throw new ScenarioException("shard: give either shards: N (jump hash of the key) or citus_table: NAME "
                    + "(the Citus shard of the key in that distributed table), not " + (citusTable == null ? "neither" : "both"));
        }
        long shards = citusTable == null ? Scenarios.positive("shard.shards", m.get("shards"), null) : 0;
        if (shards > 65_536) {
            throw new ScenarioException("shard.shards: at most 65536, not " + shards);
        }
        for (Operation op : operations) {
            if (!BUILT_INS.contains(key) && !op.params().containsKey(key)) {
                throw new ScenarioException("shard.key: operation '" + op.name() + "' binds no parameter '" + key
                        + "' (use tenant, install, namespace or a parameter every operation has)");
            }
        }
        return new ShardSpec(key, (int) shards, citusTable);
    }

    private static Slos slos(Object value, List<Operation> operations, Workload workload, ShardSpec shard) {
        Map<?, ?> m = value == null ? Map.of() : Scenarios.map("slos", value);
        Scenarios.onlyKeys("slos", m, SLO_KEYS);
        List<String> names = new ArrayList<>(List.of("read", "write"));
        operations.forEach(o -> names.add(o.name()));
        Map<String, Duration> p95 = latencyLimits("slos.p95", m.get("p95"), names);
        Map<String, Duration> p99 = latencyLimits("slos.p99", m.get("p99"), names);
        Double errorRate = m.get("max_error_rate") == null ? null : Scenarios.doubleValue("slos.max_error_rate", m.get("max_error_rate"), null);
        if (errorRate != null && (errorRate < 0 || errorRate > 1)) {
            throw new ScenarioException("slos.max_error_rate: a fraction between 0 and 1 (0.01 is 1 %), not " + errorRate);
        }
        Long deadlocks = m.get("max_deadlocks") == null ? null : Scenarios.longValue("slos.max_deadlocks", m.get("max_deadlocks"), null);
        Long serialization = m.get("max_serialization_failures") == null ? null
                : Scenarios.longValue("slos.max_serialization_failures", m.get("max_serialization_failures"), null);
        Double share = m.get("max_shard_share") == null ? null : Scenarios.doubleValue("slos.max_shard_share", m.get("max_shard_share"), null);
        if (share != null) {
            if (shard == null) {
                throw new ScenarioException("slos.max_shard_share needs shard: { key: ..., shards: N } to attribute operations to shards");
            }
            if (share <= 0 || share > 1) {
                throw new ScenarioException("slos.max_shard_share: a fraction above 0 and at most 1, not " + share);
            }
        }
        Map<String, Long> expected = new LinkedHashMap<>();
        if (m.get("expected_errors_at_least") != null) {
            Scenarios.map("slos.expected_errors_at_least", m.get("expected_errors_at_least")).forEach((k, v) -> {
                String op = String.valueOf(k);
                Operation o = operations.stream().filter(x -> x.name().equals(op)).findFirst().orElseThrow(() -> new ScenarioException(
                        "slos.expected_errors_at_least: no operation '" + op + "'" + io.pgrunbook.error.Suggest.hint(op, names)));
                if (o.expectedErrors().isEmpty()) {
                    throw new ScenarioException("slos.expected_errors_at_least." + op + ": the operation lists no expect_errors");
                }
                expected.put(op, Scenarios.longValue("slos.expected_errors_at_least." + op, v, null));
            });
        }
        Double achieved = m.get("min_achieved_rate") == null ? null : Scenarios.doubleValue("slos.min_achieved_rate", m.get("min_achieved_rate"), null);
        if (achieved != null && workload.model() != Model.OPEN) {
            throw new ScenarioException("slos.min_achieved_rate: only an open model has a target rate");
        }
        return new Slos(p95, p99, errorRate, deadlocks, serialization, share, expected, achieved);
    }

    private static Map<String, Duration> latencyLimits(String at, Object value, List<String> names) {
        Map<String, Duration> out = new LinkedHashMap<>();
        if (value == null) {
            return out;
        }
        Scenarios.map(at, value).forEach((k, v) -> {
            String name = String.valueOf(k);
            if (!names.contains(name)) {
                throw new ScenarioException(at + "." + name + ": neither a class (read, write) nor an operation"
                        + io.pgrunbook.error.Suggest.hint(name, names));
            }
            out.put(name, Scenarios.duration(at + "." + name, v, null));
        });
        return out;
    }

    static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
