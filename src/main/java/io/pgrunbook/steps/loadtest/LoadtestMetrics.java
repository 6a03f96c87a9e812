package io.pgrunbook.steps.loadtest;

import io.pgrunbook.report.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A load test's measurements as Prometheus metrics (the JSON report carries them too). */
final class LoadtestMetrics {
    private static final double[] QUANTILES = {0.5, 0.95, 0.99, 0.999};

    private LoadtestMetrics() {}

    static List<Metric> of(Scenario scenario, LoadResult result) {
        List<Metric> out = new ArrayList<>();
        out.add(Metric.gauge("pgrunbook_loadtest_throughput_ops_per_second", "operations completed per second in the measured window",
                Map.of(), result.throughput()));
        if (scenario.workload().model() == Scenario.Model.OPEN) {
            out.add(Metric.gauge("pgrunbook_loadtest_target_ops_per_second", "the open model's target rate", Map.of(), result.targetRate()));
            out.add(Metric.counter("pgrunbook_loadtest_missed_starts_total", "intended starts that never began", Map.of(), result.missedStarts()));
        }
        for (var e : result.operations().entrySet()) {
            String op = e.getKey();
            OpTally t = e.getValue();
            for (double q : QUANTILES) {
                out.add(Metric.gauge("pgrunbook_loadtest_latency_seconds", "latency from the intended start, by operation and quantile",
                        Map.of("operation", op, "quantile", String.valueOf(q)), t.latency.getValueAtPercentile(q * 100) / 1e6));
            }
            out.add(Metric.gauge("pgrunbook_loadtest_latency_max_seconds", "the largest latency measured", Map.of("operation", op),
                    t.latency.getMaxValue() / 1e6));
            out.add(Metric.counter("pgrunbook_loadtest_operations_total", "operations by outcome", Map.of("operation", op, "outcome", "ok"), t.ok));
            out.add(Metric.counter("pgrunbook_loadtest_operations_total", "operations by outcome",
                    Map.of("operation", op, "outcome", "expected_error"), t.expectedErrors));
            out.add(Metric.counter("pgrunbook_loadtest_operations_total", "operations by outcome", Map.of("operation", op, "outcome", "error"), t.errors()));
            t.errorsByState.forEach((state, n) -> out.add(Metric.counter("pgrunbook_loadtest_errors_total", "unexpected errors by SQLSTATE",
                    Map.of("operation", op, "sqlstate", state), n)));
        }
        long total = result.shardCounts().values().stream().mapToLong(Long::longValue).sum();
        result.shardCounts().forEach((shard, n) -> out.add(Metric.gauge("pgrunbook_loadtest_shard_share",
                "the fraction of measured operations that landed on each shard", Map.of("shard", shard), total == 0 ? 0 : (double) n / total)));
        return out;
    }
}
