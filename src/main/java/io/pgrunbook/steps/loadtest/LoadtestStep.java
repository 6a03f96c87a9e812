package io.pgrunbook.steps.loadtest;

import io.pgrunbook.db.ConnectionSpec;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.engine.StepType;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Metric;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.runbook.load.Durations;
import io.pgrunbook.steps.loadtest.Scenario.Operation;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * {@code type: loadtest}: loads a scenario's data, runs its workload (open or closed model) against
 * the step's target for a bounded time, and judges its SLOs; each SLO is one evidence row, and the
 * percentiles, throughput and errors are metrics. It writes, so it needs confirmation or --yes.
 */
public final class LoadtestStep implements StepType {
    private static final String SET_TIMEOUTS = "SELECT set_config('statement_timeout', ?, false), set_config('lock_timeout', ?, false)";
    static final String APPLICATION_NAME = "pgrunbook-loadtest";

    @Override
    public String name() {
        return "loadtest";
    }

    @Override
    public String summary() {
        return "run a load-test scenario (open or closed model) and judge its latency, error and shard SLOs";
    }

    @Override
    public boolean writes() {
        return true;
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
        return List.of(
                ParamSpec.required("operations", ValueKind.MAP, "name -> {class, weight (percent), sql or chain, params, expect_errors}"),
                ParamSpec.optional("workload", ValueKind.MAP, "model (open|closed), rate or rate_per_install, arrivals, connections, duration, warmup, ramp_up"),
                ParamSpec.optional("scope", ValueKind.MAP, "tenants, installs, namespaces: bound as :tenant, :install, :namespace"),
                ParamSpec.optional("params", ValueKind.MAP, "generators shared by every operation"),
                ParamSpec.optional("data", ValueKind.ANY, "initial rows: a list of {name, rows, sql, params, skip_if, batch}"),
                ParamSpec.optional("shard", ValueKind.MAP, "key, and shards (jump hash) or citus_table (the Citus shard of the key): attribute operations to shards"),
                ParamSpec.optional("slos", ValueKind.MAP, "p95, p99, max_error_rate, max_deadlocks, max_serialization_failures, "
                        + "max_shard_share, expected_errors_at_least, min_achieved_rate"),
                ParamSpec.optional("seed", ValueKind.ANY, "the seed of every random draw (default 1)"),
                ParamSpec.optional("histogram_log", ValueKind.STRING, "write each operation's latency histogram to this HdrHistogram log file"),
                ParamSpec.optional("html_report", ValueKind.STRING, "write a self-contained HTML report (verdicts, percentiles, charts) to this file"),
                ParamSpec.optional("baseline", ValueKind.STRING, "a previous run's JSON report: FAIL when an operation's p95 regressed"),
                ParamSpec.optional("baseline_tolerance", ValueKind.ANY, "how much slower a p95 may be than its baseline (default 0.2: 20 %, and at least 1 ms)"));
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        try {
            ScenarioParser.parse(step.with());
        } catch (ScenarioException e) {
            problems.add(step.location(), "step '" + step.id() + "': with." + e.getMessage());
        }
    }

    @Override
    public List<String> describe(Step step) {
        List<String> lines = new ArrayList<>();
        Scenario s;
        try {
            s = ScenarioParser.parse(step.with());
        } catch (ScenarioException e) {
            return List.of("invalid scenario: " + e.getMessage());
        }
        var w = s.workload();
        lines.add("-- " + (w.model() == Scenario.Model.OPEN ? "open model at " + w.rateText() + " (" + SloJudge.rate(w.ratePerSecond()) + ", "
                + w.arrivals().name().toLowerCase(java.util.Locale.ROOT) + " arrivals)" : "closed model") + " on " + w.connections()
                + " connections for " + Durations.show(w.duration()) + " after a " + Durations.show(w.warmup()) + " warm-up; seed " + s.seed());
        lines.add("-- scope: " + s.scope().tenants() + " tenants x " + s.scope().installs() + " installs x " + s.scope().namespaces() + " namespaces");
        if (s.shard() != null) {
            lines.add("-- operations attributed to shards by :" + s.shard().key() + " (" + s.shard().method() + ")");
        }
        if (s.baseline() != null) {
            lines.add("-- p95 per operation compared with " + s.baseline() + ": FAIL beyond +"
                    + ScenarioParser.trim(s.baselineTolerance() * 100) + " % (and +1 ms)");
        }
        if (s.htmlReport() != null) {
            lines.add("-- HTML report to " + s.htmlReport());
        }
        for (var d : s.data()) {
            lines.add("-- data " + d.name() + ": " + d.rows() + " rows in batches of " + d.batch()
                    + (d.skipIf() == null ? "" : ", skipped when: " + d.skipIf().text().strip()));
            lines.add(d.sql().text().strip());
        }
        for (Operation op : s.operations()) {
            lines.add("-- " + op.name() + " (" + op.opClass() + ", " + ScenarioParser.trim(op.weight()) + " %"
                    + (op.transaction() ? ", one transaction" : "") + (op.expectedErrors().isEmpty() ? "" : ", expects " + op.expectedErrors()) + ")");
            op.chain().forEach(sql -> lines.add(sql.text().strip()));
            op.params().forEach((k, g) -> lines.add("--   :" + k + " = " + g.describe()));
        }
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        Scenario scenario;
        try {
            scenario = ScenarioParser.parse(context.step().with());
        } catch (ScenarioException e) {
            return StepOutcome.verdict(Status.ERROR, "invalid scenario: " + e.getMessage(), Evidence.none());
        }
        Map<String, Long> baseline = Map.of();
        if (scenario.baseline() != null) {
            try {
                baseline = Baseline.p95(Path.of(scenario.baseline()), context.step().id());
            } catch (ScenarioException e) {
                return StepOutcome.verdict(Status.ERROR, e.getMessage(), Evidence.none());
            }
        }
        ConnectionSpec spec = context.jdbcConnectionSpec().withApplicationName(APPLICATION_NAME);
        Step step = context.step();
        LoadRunner.ConnectionSource source = () -> open(spec, step);
        List<String> notes = DataLoader.load(scenario, source, context::isCancelled);
        var progress = LoadtestProgress.sink();
        LoadResult result;
        try {
            result = new LoadRunner(scenario, source, context::isCancelled, progress).run();
        } finally {
            if (progress != null) {
                LoadtestProgress.end();
            }
        }
        if (scenario.histogramLog() != null) {
            writeHistogramLog(scenario, result);
            notes.add("histograms written to " + scenario.histogramLog());
        }
        SloJudge.Verdict verdict = SloJudge.judge(scenario, result, baseline);
        if (scenario.baseline() != null) {
            notes.add("p95 compared with " + scenario.baseline());
        }
        if (scenario.htmlReport() != null) {
            HtmlReport.write(Path.of(scenario.htmlReport()), provenance(context), scenario, result, verdict);
            notes.add("HTML report written to " + scenario.htmlReport());
        }
        String message = message(scenario, result, verdict, notes);
        Evidence evidence = new Evidence(verdict.slos() + " SLOs", verdict.failed() + " failed", SloJudge.COLUMNS, verdict.rows(), verdict.rows().size());
        return StepOutcome.verdict(verdict.status(), message, evidence).withMetrics(LoadtestMetrics.of(scenario, result));
    }

    private static HtmlReport.Provenance provenance(StepContext context) {
        String server = context.server() == null ? null : context.server().version();
        return new HtmlReport.Provenance(context.step().location().file(), context.step().id(), context.connectionSpec().display(),
                server, "pgrunbook " + toolVersion(), java.time.Instant.now());
    }

    private static String toolVersion() {
        try (java.io.InputStream in = LoadtestStep.class.getResourceAsStream("/io/pgrunbook/version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** One line per operation: what a reader wants from a load test even when every SLO passed. */
    static String latencies(LoadResult result) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, OpTally> e : result.operations().entrySet()) {
            Histogram h = e.getValue().latency;
            sb.append('\n').append(e.getKey()).append(": ").append(h.getTotalCount()).append(" ops, p50 ")
                    .append(SloJudge.ms(h.getValueAtPercentile(50))).append(", p95 ").append(SloJudge.ms(h.getValueAtPercentile(95)))
                    .append(", p99 ").append(SloJudge.ms(h.getValueAtPercentile(99))).append(", max ").append(SloJudge.ms(h.getMaxValue()));
        }
        return sb.toString();
    }

    private static String message(Scenario scenario, LoadResult result, SloJudge.Verdict verdict, List<String> notes) {
        StringBuilder sb = new StringBuilder();
        if (result.abortReason() != null) {
            sb.append("stopped early: ").append(result.abortReason()).append(". ");
        }
        if (verdict.slos() == 0) {
            sb.append("no SLOs given; ");
        } else {
            sb.append(verdict.slos() - verdict.failed()).append(" of ").append(verdict.slos()).append(" SLOs met; ");
        }
        sb.append(SloJudge.rate(result.throughput())).append(" over ").append(result.completed()).append(" operations");
        if (scenario.workload().model() == Scenario.Model.OPEN) {
            sb.append(" (target ").append(SloJudge.rate(result.targetRate())).append(", ").append(result.missedStarts()).append(" missed starts)");
        }
        if (!notes.isEmpty()) {
            sb.append("; ").append(String.join("; ", notes));
        }
        return sb.append(latencies(result)).toString();
    }

    private static Connection open(ConnectionSpec spec, Step step) throws SQLException {
        Connection c = DriverManager.getConnection(spec.jdbcUrl(), spec.properties());
        try (PreparedStatement ps = c.prepareStatement(SET_TIMEOUTS)) {
            ps.setString(1, Durations.toSetting(step.timeout()));
            ps.setString(2, Durations.toSetting(step.lockTimeout()));
            ps.execute();
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static void writeHistogramLog(Scenario scenario, LoadResult result) throws IOException {
        try (PrintStream out = new PrintStream(new FileOutputStream(scenario.histogramLog()), false, java.nio.charset.StandardCharsets.UTF_8)) {
            HistogramLogWriter writer = new HistogramLogWriter(out);
            writer.outputComment("pgrunbook loadtest, seed " + scenario.seed() + ", latencies in microseconds, one tagged histogram per operation");
            writer.outputLogFormatVersion();
            writer.outputLegend();
            for (Map.Entry<String, OpTally> e : result.operations().entrySet()) {
                Histogram h = e.getValue().latency.copy();
                h.setTag(e.getKey());
                h.setStartTimeStamp(0);
                h.setEndTimeStamp(result.measured().toMillis());
                writer.outputIntervalHistogram(h);
            }
        }
    }
}
