package io.pgrunbook.steps.loadtest;

import io.pgrunbook.db.SqlStates;
import io.pgrunbook.report.Status;
import io.pgrunbook.steps.loadtest.Scenario.Operation;
import io.pgrunbook.steps.loadtest.Scenario.Slos;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Each SLO of the scenario against what was measured: one evidence row (check, expected, observed,
 * verdict) per SLO, then rows with the measurements themselves (verdict "info").
 */
final class SloJudge {
    static final List<String> COLUMNS = List.of("check", "expected", "observed", "verdict");
    static final Map<String, String> NAMED_STATES = Map.of(
            SqlStates.DEADLOCK_DETECTED, "deadlock", SqlStates.SERIALIZATION_FAILURE, "serialization failure",
            SqlStates.QUERY_CANCELED, "statement timeout", "53400", "limit exceeded");

    record Verdict(Status status, List<List<Object>> rows, int failed, int slos) {}

    private SloJudge() {}

    static Verdict judge(Scenario scenario, LoadResult result) {
        return judge(scenario, result, Map.of());
    }

    /** @param baselineP95 microseconds per operation from a previous report (empty: no baseline comparison) */
    static Verdict judge(Scenario scenario, LoadResult result, Map<String, Long> baselineP95) {
        List<List<Object>> rows = new ArrayList<>();
        int failed = 0;
        Slos slos = scenario.slos();
        for (var e : slos.p95().entrySet()) {
            failed += latency(rows, scenario, result, "p95", 95.0, e.getKey(), e.getValue()) ? 0 : 1;
        }
        for (var e : slos.p99().entrySet()) {
            failed += latency(rows, scenario, result, "p99", 99.0, e.getKey(), e.getValue()) ? 0 : 1;
        }
        long completed = result.completed();
        if (slos.maxErrorRate() != null) {
            double rate = completed == 0 ? 0 : (double) result.errors() / completed;
            boolean ok = completed > 0 && rate <= slos.maxErrorRate();
            rows.add(row("error rate", "<= " + percent(slos.maxErrorRate()) + " unexpected errors",
                    completed == 0 ? "no operation completed" : percent(rate) + " (" + result.errors() + " of " + completed + ")", ok));
            failed += ok ? 0 : 1;
        }
        if (slos.maxDeadlocks() != null) {
            long n = result.errorsWithState(SqlStates.DEADLOCK_DETECTED);
            boolean ok = n <= slos.maxDeadlocks();
            rows.add(row("deadlocks (40P01)", "<= " + slos.maxDeadlocks() + " unexpected", n + " unexpected", ok));
            failed += ok ? 0 : 1;
        }
        if (slos.maxSerializationFailures() != null) {
            long n = result.errorsWithState(SqlStates.SERIALIZATION_FAILURE);
            boolean ok = n <= slos.maxSerializationFailures();
            rows.add(row("serialization failures (40001)", "<= " + slos.maxSerializationFailures() + " unexpected", n + " unexpected", ok));
            failed += ok ? 0 : 1;
        }
        if (slos.maxShardShare() != null) {
            Skew skew = skew(result);
            boolean ok = skew.total() > 0 && skew.share() <= slos.maxShardShare();
            rows.add(row("hot shard (" + scenario.shard().key() + ", " + scenario.shard().method() + ")",
                    "no shard above " + percent(slos.maxShardShare()), skew.describe(), ok));
            failed += ok ? 0 : 1;
        }
        for (var e : slos.expectedErrorsAtLeast().entrySet()) {
            OpTally t = result.operations().get(e.getKey());
            Operation op = scenario.operations().stream().filter(o -> o.name().equals(e.getKey())).findFirst().orElseThrow();
            boolean ok = t.expectedErrors >= e.getValue();
            rows.add(row("expected errors of " + e.getKey(), ">= " + e.getValue() + " of " + op.expectedErrors(),
                    t.expectedErrors + (t.expectedByState.isEmpty() ? "" : " " + t.expectedByState), ok));
            failed += ok ? 0 : 1;
        }
        if (slos.minAchievedRateRatio() != null) {
            double target = result.targetRate();
            double achieved = result.throughput();
            boolean ok = achieved >= slos.minAchievedRateRatio() * target;
            rows.add(row("achieved rate", ">= " + percent(slos.minAchievedRateRatio()) + " of " + rate(target),
                    rate(achieved) + ", " + result.missedStarts() + " missed starts", ok));
            failed += ok ? 0 : 1;
        }
        for (var e : result.operations().entrySet()) {
            Long base = baselineP95.get(e.getKey());
            Histogram h = e.getValue().latency;
            if (base == null || h.getTotalCount() == 0) {
                continue;
            }
            long now = h.getValueAtPercentile(95);
            long limit = Math.max(Math.round(base * (1 + scenario.baselineTolerance())), base + Scenario.BASELINE_FLOOR_MICROS);
            boolean ok = now <= limit;
            String change = base == 0 ? "" : String.format(Locale.ROOT, " (%+.0f %%)", (now - base) * 100.0 / base);
            rows.add(row("p95 " + e.getKey() + " vs baseline", "<= " + ms(limit) + " (baseline " + ms(base) + " + "
                    + String.format(Locale.ROOT, "%.0f %%", scenario.baselineTolerance() * 100) + ", at least +1 ms)", ms(now) + change, ok));
            failed += ok ? 0 : 1;
        }
        int slosCount = rows.size();
        rows.addAll(measurements(scenario, result));
        Status status = result.abortReason() != null ? Status.ERROR : failed > 0 ? Status.FAIL : Status.PASS;
        return new Verdict(status, rows, failed, slosCount);
    }

    /** The hottest shard: its name, its share of the measured operations, and that share against a fair one. */
    record Skew(String hottest, long total, double share, int shards) {
        double ratio() {
            return shards == 0 ? 0 : share * shards;
        }

        String describe() {
            return total == 0 ? "no operation measured" : "shard " + hottest + " (of " + shards + ") took " + percent(share) + " of " + total
                    + " operations (fair share " + percent(1.0 / shards) + ", skew " + String.format(Locale.ROOT, "%.2fx", ratio()) + ")";
        }
    }

    static Skew skew(LoadResult result) {
        long total = 0;
        String hottest = null;
        long most = -1;
        for (var e : result.shardCounts().entrySet()) {
            total += e.getValue();
            if (e.getValue() > most) {
                most = e.getValue();
                hottest = e.getKey();
            }
        }
        return new Skew(hottest, total, total == 0 ? 0 : (double) most / total, result.shardTotal());
    }

    private static boolean latency(List<List<Object>> rows, Scenario scenario, LoadResult result, String label, double percentile,
            String name, Duration limit) {
        Histogram merged = new Histogram(OpTally.HIGHEST_MICROS, 3);
        for (Operation op : scenario.operations()) {
            if (op.name().equals(name) || op.opClass().equals(name)) {
                merged.add(result.operations().get(op.name()).latency);
            }
        }
        String scope = scenario.operations().stream().anyMatch(o -> o.name().equals(name)) ? name : name + "s";
        if (merged.getTotalCount() == 0) {
            rows.add(row(label + " " + scope, "< " + ms(limit.toNanos() / 1000), "no operation measured", false));
            return false;
        }
        long observed = merged.getValueAtPercentile(percentile);
        boolean ok = observed < limit.toNanos() / 1000;
        rows.add(row(label + " " + scope, "< " + ms(limit.toNanos() / 1000), ms(observed) + " over " + merged.getTotalCount() + " operations", ok));
        return ok;
    }

    private static List<List<Object>> measurements(Scenario scenario, LoadResult result) {
        List<List<Object>> rows = new ArrayList<>();
        var w = scenario.workload();
        String throughput = rate(result.throughput()) + " over " + ms(result.measured().toNanos() / 1000) + " measured ("
                + result.completed() + " operations)";
        if (w.model() == Scenario.Model.OPEN) {
            throughput += ", target " + rate(result.targetRate()) + ", " + result.missedStarts() + " of " + result.scheduled() + " starts missed";
        } else {
            throughput += ", " + w.connections() + " connections back to back";
        }
        rows.add(List.of("throughput", "", throughput, "info"));
        for (var e : result.operations().entrySet()) {
            OpTally t = e.getValue();
            Histogram h = t.latency;
            String observed = h.getTotalCount() == 0 ? "not measured"
                    : "n=" + h.getTotalCount() + " p50 " + ms(h.getValueAtPercentile(50)) + " p95 " + ms(h.getValueAtPercentile(95))
                    + " p99 " + ms(h.getValueAtPercentile(99)) + " p99.9 " + ms(h.getValueAtPercentile(99.9)) + " max " + ms(h.getMaxValue());
            if (t.expectedErrors > 0) {
                observed += "; expected errors " + t.expectedByState;
            }
            if (!t.errorsByState.isEmpty()) {
                observed += "; errors " + named(t.errorsByState) + ", first: " + t.firstMessageByState.values().iterator().next();
            }
            rows.add(List.of("latency " + e.getKey(), "", observed, "info"));
        }
        return rows;
    }

    static String named(Map<String, Long> byState) {
        List<String> parts = new ArrayList<>();
        byState.forEach((state, n) -> parts.add(state + (NAMED_STATES.containsKey(state) ? " (" + NAMED_STATES.get(state) + ")" : "") + " x" + n));
        return String.join(", ", parts);
    }

    private static List<Object> row(String check, String expected, String observed, boolean ok) {
        return List.of(check, expected, observed, ok ? "PASS" : "FAIL");
    }

    static String ms(long micros) {
        // sub-millisecond latencies are common on a primary-key lookup: keep two significant places there
        return String.format(Locale.ROOT, micros < 1000 ? "%.2f ms" : "%.1f ms", micros / 1000.0);
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f %%", fraction * 100);
    }

    static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.1f ops/s", perSecond);
    }
}
