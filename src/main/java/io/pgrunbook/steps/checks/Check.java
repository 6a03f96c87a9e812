package io.pgrunbook.steps.checks;

import io.pgrunbook.db.JdbcValues;
import io.pgrunbook.db.ServerInfo;
import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.engine.StepType;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Metric;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Severity;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.runbook.sql.NamedSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A named check of the catalog ({@code type: check.NAME}): a read-only measurement compared with a
 * {@code warning} and a {@code critical} threshold. Breaching critical gives FAIL, breaching only
 * warning gives WARN; a step with {@code severity: warning} caps the verdict at WARN (the engine's
 * rule for every step type: the runbook author said this step never fails the run). A check that
 * does not apply to the server (an extension missing, a view of another version) is SKIP with the
 * reason. Every breach carries the check's recommendation.
 */
public abstract class Check implements StepType {
    /** Evidence keeps this many rows (worst first); the total is still reported. */
    static final int EVIDENCE_ROWS = 50;
    static final String LEVEL_COLUMN = "level";
    /** A count check whose rows carry this boolean counts the rows where it is false (and lists all). */
    static final String OK_COLUMN = "ok";
    /** Parameters written as sizes (512MB, 10GB), checked when the runbook loads. */
    static final Set<String> SIZE_PARAMETERS = Set.of("min_table_size", "capacity", "min_size");

    /** The name after {@code check.}, e.g. {@code connections}. */
    protected abstract String check();

    /** What to do when the check warns or fails, one or two sentences. */
    public abstract String recommendation();

    /** The check's own parameters, besides warning and critical. */
    protected abstract List<ParamSpec> ownParameters();

    public abstract Threshold threshold();

    /** Runs the check's read-only queries; rows carry {@link Threshold#column()} when it has one. */
    protected abstract ResultTable measure(StepContext context) throws SQLException;

    /** Why the check does not apply to this server or database, or empty when it does. */
    protected Optional<String> notApplicable(StepContext context) throws SQLException {
        return Optional.empty();
    }

    @Override
    public final String name() {
        return "check." + check();
    }

    @Override
    public boolean writes() {
        return false;
    }

    @Override
    public SqlUse sqlUse() {
        return SqlUse.NONE;
    }

    @Override
    public boolean acceptsExpect() {
        return false;
    }

    @Override
    public List<ParamSpec> parameters() {
        List<ParamSpec> all = new ArrayList<>(ownParameters());
        Threshold t = threshold();
        String what = t.column() == null ? "number of offending objects" : t.column() + (t.unit().isEmpty() ? "" : " (" + t.unit() + ")");
        all.add(ParamSpec.optional("warning", t.kind(), "WARN when the " + what + " is " + (t.worseAbove() ? "at or above" : "below")
                + " this (default " + describe(t.warning()) + ")"));
        all.add(ParamSpec.optional("critical", t.kind(), "FAIL when the " + what + " is " + (t.worseAbove() ? "at or above" : "below")
                + " this (default " + describe(t.critical()) + ")"));
        return all;
    }

    private static String describe(Object v) {
        return v == null ? "none" : v instanceof java.time.Duration d ? io.pgrunbook.runbook.load.Durations.show(d) : v.toString();
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        Threshold t = threshold();
        boolean bad = false;
        for (String key : List.of("warning", "critical")) {
            Object v = step.with().get(key);
            if (v != null && t.numeric(v) == null) {
                bad = true;
                problems.add(step.location(), "step '" + step.id() + "': with." + key + " must be " + t.kind().description()
                        + (t.kind() == ValueKind.STRING ? " (a size such as 512MB or 10GB)" : "") + ", got '" + v + "'");
            }
        }
        for (String key : SIZE_PARAMETERS) {
            Object v = step.with().get(key);
            if (v != null && Threshold.sizeBytes(v.toString()).filter(b -> b > 0 || !key.equals("capacity")).isEmpty()) {
                bad = true;
                problems.add(step.location(), "step '" + step.id() + "': with." + key + " must be a size such as 512MB or 10GB, got '" + v + "'");
            }
        }
        if (bad) {
            return;
        }
        Double w = warning(step);
        Double c = critical(step);
        if (w != null && c != null && (t.worseAbove() ? w > c : w < c)) {
            problems.add(step.location(), "step '" + step.id() + "': the warning threshold (" + t.format(w) + ") is beyond the critical one ("
                    + t.format(c) + "); a warning must come first");
        }
    }

    protected Double warning(Step step) {
        return threshold().numeric(step.with().getOrDefault("warning", threshold().warning()));
    }

    protected Double critical(Step step) {
        return threshold().numeric(step.with().getOrDefault("critical", threshold().critical()));
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        Optional<String> skip = notApplicable(context);
        if (skip.isPresent()) {
            return StepOutcome.verdict(Status.SKIP, name() + " does not apply: " + skip.get(), Evidence.none());
        }
        return judge(context.step(), measure(context));
    }

    /** Compares every row's measure (or the row count) with the thresholds; rows worst first as evidence. */
    public StepOutcome judge(Step step, ResultTable table) {
        Threshold t = threshold();
        Double warning = warning(step);
        Double critical = critical(step);
        List<String> columns = new ArrayList<>(table.columns());
        List<List<Object>> rows = new ArrayList<>();
        Double worst = null;
        Status status = Status.PASS;
        int okColumn = table.columnIndex(OK_COLUMN);
        if (t.column() == null && okColumn >= 0) {
            // Every item is listed; the ones not ok are counted.
            worst = (double) table.rows().stream().filter(r -> Boolean.FALSE.equals(r.get(okColumn))).count();
            status = level(worst, warning, critical);
            table.rows().stream().filter(r -> !Boolean.TRUE.equals(r.get(okColumn))).forEach(rows::add);
            table.rows().stream().filter(r -> Boolean.TRUE.equals(r.get(okColumn))).forEach(rows::add);
        } else if (t.column() == null) {
            worst = (double) table.totalRows();
            status = level(worst, warning, critical);
            rows.addAll(table.rows());
        } else {
            int col = table.columnIndex(t.column());
            if (col < 0) {
                throw new IllegalStateException(name() + ": its query returned no column " + t.column());
            }
            columns.add(LEVEL_COLUMN);
            for (List<Object> row : table.rows()) {
                Object v = row.get(col);
                List<Object> out = new ArrayList<>(row);
                if (v instanceof Number n) {
                    double d = n.doubleValue();
                    Status s = level(d, warning, critical);
                    if (s == Status.FAIL && step.severity() == Severity.WARNING) {
                        // The engine caps a warning step's verdict at WARN; its rows say the same.
                        s = Status.WARN;
                    }
                    out.add(s == Status.PASS ? "ok" : s == Status.WARN ? "warning" : "critical");
                    status = Status.worst(status, s);
                    if (worst == null || (t.worseAbove() ? d > worst : d < worst)) {
                        worst = d;
                    }
                } else {
                    out.add("not judged");
                }
                rows.add(out);
            }
            rows.sort(Comparator.comparingInt((List<Object> r) -> rank(r.get(r.size() - 1))));
        }
        String observed = okColumn >= 0 && t.column() == null
                ? (worst.longValue() == 0 ? "all " + table.totalRows() + " as expected" : worst.longValue() + " of " + table.totalRows() + " not as expected")
                : observed(t, table, worst);
        String expected = expected(t, warning, critical);
        Evidence evidence = new Evidence(expected, observed, columns,
                rows.subList(0, Math.min(rows.size(), EVIDENCE_ROWS)), table.totalRows());
        String message = status == Status.PASS ? observed : observed + ". " + recommendation(table);
        return StepOutcome.verdict(status, message, evidence).withMetrics(metrics(worst, warning, critical));
    }

    /**
     * What the thresholds allow, naming only the ones that are set: "fewer than 1 (warning)" rather than
     * "fewer than 1 (warning), fewer than none (critical)" for a check with no critical threshold.
     */
    static String expected(Threshold t, Double warning, Double critical) {
        List<String> parts = new ArrayList<>();
        if (warning != null) {
            parts.add((t.column() == null ? "fewer than " + t.format(warning) : t.column() + " " + t.okWhen(warning)) + " (warning)");
        }
        if (critical != null) {
            parts.add((t.column() == null ? "fewer than " + t.format(critical) : t.column() + " " + t.okWhen(critical)) + " (critical)");
        }
        return parts.isEmpty() ? "no threshold set: reported only" : String.join(", ", parts);
    }

    /** The advice for a breach; a check whose advice depends on what it found (archiving off, or failing) overrides this. */
    protected String recommendation(ResultTable measured) {
        return recommendation();
    }

    private String observed(Threshold t, ResultTable table, Double worst) {
        if (t.column() == null) {
            return table.totalRows() == 0 ? "none found" : table.totalRows() + " found";
        }
        if (worst == null) {
            return table.totalRows() == 0 ? "nothing to judge" : table.totalRows() + " rows, none with a value to judge";
        }
        return (table.totalRows() > 1 ? (t.worseAbove() ? "highest " : "lowest ") : "") + t.column() + " " + t.format(worst)
                + (table.totalRows() > 1 ? " over " + table.totalRows() + " rows" : "");
    }

    private static int rank(Object level) {
        return "critical".equals(level) ? 0 : "warning".equals(level) ? 1 : "ok".equals(level) ? 2 : 3;
    }

    private Status level(double value, Double warning, Double critical) {
        if (threshold().breaches(value, critical)) {
            return Status.FAIL;
        }
        return threshold().breaches(value, warning) ? Status.WARN : Status.PASS;
    }

    /** The measure and both thresholds, for Prometheus and for Nagios performance data. */
    private List<Metric> metrics(Double worst, Double warning, Double critical) {
        List<Metric> out = new ArrayList<>();
        Map<String, String> labels = Map.of("check", check());
        if (worst != null) {
            out.add(Metric.gauge("pgrunbook_check_value", "The worst value a check measured (its unit is the check's).", labels, worst));
        }
        if (warning != null) {
            out.add(Metric.gauge("pgrunbook_check_warning_threshold", "The warning threshold a check compared with.", labels, warning));
        }
        if (critical != null) {
            out.add(Metric.gauge("pgrunbook_check_critical_threshold", "The critical threshold a check compared with.", labels, critical));
        }
        return out;
    }

    /** Runs one statement in a READ ONLY transaction with the step's timeouts, binding :name from {@code binds}. */
    protected static ResultTable query(StepContext context, String sql, Map<String, Object> binds) throws SQLException {
        return context.inTransaction(true, c -> run(c, context, sql, binds));
    }

    static ResultTable run(Connection c, StepContext context, String sql, Map<String, Object> binds) throws SQLException {
        NamedSql named = NamedSql.parse(sql);
        try (PreparedStatement ps = c.prepareStatement(named.jdbcSql())) {
            for (int i = 0; i < named.parameters().size(); i++) {
                String name = named.parameters().get(i);
                if (!binds.containsKey(name)) {
                    throw new IllegalStateException("no value bound for :" + name);
                }
                JdbcValues.bind(c, ps, i + 1, binds.get(name));
            }
            long timeout = context.step().timeout().isZero() ? 0 : context.step().timeout().plusSeconds(10).toSeconds();
            ps.setQueryTimeout((int) Math.min(Integer.MAX_VALUE, timeout));
            return StepContext.run(ps);
        }
    }

    protected static Map<String, Object> binds(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** A with: value, or its default. */
    @SuppressWarnings("unchecked")
    protected static <T> T param(Step step, String key, T fallback) {
        Object v = step.with().get(key);
        return v == null ? fallback : (T) v;
    }

    protected static boolean hasExtension(StepContext context, String extension) throws SQLException {
        ResultTable t = query(context, "SELECT count(*) FROM pg_extension WHERE extname = :name", binds("name", extension));
        return ((Number) t.rows().get(0).get(0)).longValue() > 0;
    }

    /** Resolves a table name (optionally schema-qualified) or throws 42P01 naming it. */
    protected static void requireTables(StepContext context, List<String> tables) throws SQLException {
        ResultTable t = query(context, "SELECT name FROM unnest(CAST(:tables AS text[])) AS name WHERE to_regclass(name) IS NULL",
                binds("tables", tables));
        if (!t.rows().isEmpty()) {
            List<String> missing = t.rows().stream().map(r -> String.valueOf(r.get(0))).toList();
            throw new SQLException((missing.size() == 1 ? "table " : "tables ") + String.join(", ", missing)
                    + " not found in database " + context.server().database() + " (search_path applies; qualify it as schema.table)", "42P01");
        }
    }

    static ServerInfo serverOf(StepContext context) {
        return context.server();
    }
}
