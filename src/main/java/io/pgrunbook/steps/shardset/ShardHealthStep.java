package io.pgrunbook.steps.shardset;

import io.pgrunbook.db.SqlStates;
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
import io.pgrunbook.runbook.sql.NamedSql;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * {@code shardset.health}: N probe queries on each shard, their latency and error rate, and the
 * shard's state (HEALTHY, DEGRADED, UNHEALTHY) by the seed 004 thresholds, which the step may override.
 * An unreachable shard is not probed: the engine reports it ERROR with the connection failure.
 */
public final class ShardHealthStep implements StepType {
    private static final NamedSql DEFAULT_PROBE = NamedSql.parse("SELECT 1");
    private static final ParamSpec PROBES = ParamSpec.optional("probes", ValueKind.INTEGER, "probe queries per shard (default 10)");
    private static final ParamSpec DEGRADED_LATENCY = ParamSpec.optional("degraded_latency", ValueKind.DURATION,
            "p95 probe latency from which a shard is DEGRADED (default 500ms)");
    private static final ParamSpec UNHEALTHY_LATENCY = ParamSpec.optional("unhealthy_latency", ValueKind.DURATION,
            "p95 probe latency above which a shard is UNHEALTHY (default 2s)");
    private static final ParamSpec DEGRADED_ERRORS = ParamSpec.optional("degraded_error_rate", ValueKind.NUMBER,
            "percent of failed probes from which a shard is DEGRADED (default 5)");
    private static final ParamSpec UNHEALTHY_ERRORS = ParamSpec.optional("unhealthy_error_rate", ValueKind.NUMBER,
            "percent of failed probes above which a shard is UNHEALTHY (default 10)");
    private static final long MAX_TRACKABLE_MICROS = Duration.ofHours(1).toNanos() / 1000;

    @Override
    public String name() {
        return "shardset.health";
    }

    @Override
    public String summary() {
        return "probe each shard N times: HEALTHY, DEGRADED or UNHEALTHY by latency and error rate";
    }

    @Override
    public boolean writes() {
        return false;
    }

    @Override
    public SqlUse sqlUse() {
        return SqlUse.OPTIONAL;
    }

    @Override
    public boolean acceptsExpect() {
        return false;
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ShardSet.SHARDS, PROBES, DEGRADED_LATENCY, UNHEALTHY_LATENCY, DEGRADED_ERRORS, UNHEALTHY_ERRORS);
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        if (step.with().containsKey(ShardSet.SHARDS.name())) {
            ShardSet.validateShards(step, targetNames, problems);
        }
        if (step.with().get(PROBES.name()) instanceof Number n && (n.longValue() < 1 || n.longValue() > 100_000)) {
            problems.add(step.location(), "step '" + step.id() + "': with.probes must be between 1 and 100000");
        }
        HealthThresholds t = thresholds(step);
        if (t.degradedLatency().compareTo(t.unhealthyLatency()) > 0 || t.degradedErrorPercent() > t.unhealthyErrorPercent()) {
            problems.add(step.location(), "step '" + step.id() + "': the DEGRADED thresholds must not exceed the UNHEALTHY ones");
        }
    }

    @Override
    public List<String> describe(Step step) {
        HealthThresholds t = thresholds(step);
        return List.of(probes(step) + " probes per shard: " + probe(step).text().strip(),
                "HEALTHY: p95 < " + Durations.show(t.degradedLatency()) + " and errors < " + pct(t.degradedErrorPercent())
                        + "; UNHEALTHY: p95 > " + Durations.show(t.unhealthyLatency()) + ", errors > " + pct(t.unhealthyErrorPercent())
                        + " or unreachable; DEGRADED between");
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        Step step = context.step();
        int probes = probes(step);
        NamedSql probe = probe(step);
        Histogram latencies = new Histogram(MAX_TRACKABLE_MICROS, 3);
        int errors = 0;
        String lastError = null;
        for (int i = 0; i < probes && !context.isCancelled(); i++) {
            long began = System.nanoTime();
            try {
                context.query(probe);
                latencies.recordValue(Math.min(MAX_TRACKABLE_MICROS, Math.max(1, (System.nanoTime() - began) / 1000)));
            } catch (SQLException e) {
                errors++;
                lastError = SqlStates.describe(e);
            }
        }
        HealthThresholds t = thresholds(step);
        double errorPercent = 100.0 * errors / probes;
        boolean answered = latencies.getTotalCount() > 0;
        Duration p95 = Duration.ofNanos(latencies.getValueAtPercentile(95) * 1000);
        Duration p50 = Duration.ofNanos(latencies.getValueAtPercentile(50) * 1000);
        Duration max = Duration.ofNanos(latencies.getMaxValue() * 1000);
        HealthThresholds.State state = t.classify(p95, errorPercent, answered);
        String me = context.targetName();
        List<Object> row = new ArrayList<>(List.of(me, state.name(), (long) probes, (long) errors, round(errorPercent),
                millis(p50), millis(p95), millis(max)));
        row.add(lastError == null ? "" : lastError);
        Evidence evidence = new Evidence("HEALTHY: p95 < " + Durations.show(t.degradedLatency()) + " and errors < " + pct(t.degradedErrorPercent()),
                state.name() + ": p95 " + millis(p95) + " ms, " + pct(errorPercent) + " errors",
                List.of("shard", "state", "probes", "errors", "error_pct", "p50_ms", "p95_ms", "max_ms", "last_error"),
                List.of(row), 1);
        Status status = switch (state) {
            case HEALTHY -> Status.PASS;
            case DEGRADED -> Status.WARN;
            case UNHEALTHY -> Status.FAIL;
        };
        String message = me + " is " + state + ": p95 " + millis(p95) + " ms over " + probes + " probes, " + errors + " failed ("
                + pct(errorPercent) + ")" + (lastError == null ? "" : "; last error: " + lastError);
        Map<String, String> labels = Map.of("shard", me);
        List<Metric> metrics = List.of(
                Metric.gauge("pgrunbook_shard_probe_p95_seconds", "95th percentile of the shard's probe latency", labels, p95.toNanos() / 1e9),
                Metric.gauge("pgrunbook_shard_probe_error_ratio", "Failed probes over probes", labels, errorPercent / 100),
                Metric.gauge("pgrunbook_shard_state", "0 HEALTHY, 1 DEGRADED, 2 UNHEALTHY", labels, state.ordinal()));
        return StepOutcome.verdict(status, message, evidence).withMetrics(metrics);
    }

    static HealthThresholds thresholds(Step step) {
        Map<String, Object> w = step.with();
        HealthThresholds d = HealthThresholds.SEED;
        return new HealthThresholds(
                w.get(DEGRADED_LATENCY.name()) instanceof Duration x ? x : d.degradedLatency(),
                w.get(UNHEALTHY_LATENCY.name()) instanceof Duration x ? x : d.unhealthyLatency(),
                w.get(DEGRADED_ERRORS.name()) instanceof Number n ? n.doubleValue() : d.degradedErrorPercent(),
                w.get(UNHEALTHY_ERRORS.name()) instanceof Number n ? n.doubleValue() : d.unhealthyErrorPercent());
    }

    private static int probes(Step step) {
        return step.with().get(PROBES.name()) instanceof Number n ? n.intValue() : 10;
    }

    private static NamedSql probe(Step step) {
        return step.sql() == null ? DEFAULT_PROBE : step.sql();
    }

    private static double millis(Duration d) {
        return round(d.toNanos() / 1e6);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f%%", v).replace(".00%", "%");
    }
}
