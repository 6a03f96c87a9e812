package io.pgrunbook.steps.shardset;

import io.pgrunbook.db.SqlStates;
import io.pgrunbook.engine.ResultTable;
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
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code shardset.replication}: the replay lag of each shard's listed replicas, measured on the
 * replica: below 5 s healthy, 5 to 10 s warning, above 10 s critical (seed 004), overridable. A
 * replica that has replayed everything it received has no lag, however old its last transaction.
 */
public final class ReplicationLagStep implements StepType {
    private static final NamedSql LAG = NamedSql.parse("""
            SELECT pg_is_in_recovery() AS in_recovery,
                   CASE WHEN NOT pg_is_in_recovery() THEN NULL
                        WHEN pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                        ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END AS lag_seconds""");
    private static final ParamSpec REPLICAS = ParamSpec.required("replicas", ValueKind.MAP,
            "each shard's replica targets, e.g. { shard0: [shard0_replica] }");
    private static final ParamSpec WARN = ParamSpec.optional("warn_lag", ValueKind.DURATION, "lag from which a replica warns (default 5s)");
    private static final ParamSpec CRITICAL = ParamSpec.optional("critical_lag", ValueKind.DURATION, "lag above which it fails (default 10s)");

    @Override
    public String name() {
        return "shardset.replication";
    }

    @Override
    public String summary() {
        return "replay lag of each shard's listed replicas (warn from 5s, fail above 10s)";
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
        return List.of(ShardSet.SHARDS, REPLICAS, WARN, CRITICAL);
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        if (step.with().containsKey(ShardSet.SHARDS.name())) {
            ShardSet.validateShards(step, targetNames, problems);
        }
        if (step.with().get(REPLICAS.name()) instanceof Map<?, ?> m) {
            m.forEach((shard, list) -> {
                if (!step.targets().contains(String.valueOf(shard))) {
                    problems.add(step.location(), "step '" + step.id() + "': with.replicas names shard '" + shard
                            + "', which is not one of the step's targets " + step.targets());
                }
                for (String r : names(list)) {
                    if (!targetNames.contains(r)) {
                        problems.add(step.location(), "step '" + step.id() + "': replica '" + r + "' of " + shard + " is not a target"
                                + io.pgrunbook.error.Suggest.hint(r, targetNames));
                    }
                }
            });
        }
    }

    @Override
    public Collection<String> otherTargets(Step step) {
        Set<String> out = new LinkedHashSet<>();
        if (step.with().get(REPLICAS.name()) instanceof Map<?, ?> m) {
            m.values().forEach(v -> out.addAll(names(v)));
        }
        return out;
    }

    @Override
    public List<String> describe(Step step) {
        return List.of("on each listed replica: " + LAG.text().lines().map(String::strip).reduce((a, b) -> a + " " + b).orElse(""),
                "warn from " + Durations.show(lag(step, WARN, 5)) + ", fail above " + Durations.show(lag(step, CRITICAL, 10)));
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        Step step = context.step();
        String me = context.targetName();
        List<String> replicas = step.with().get(REPLICAS.name()) instanceof Map<?, ?> m ? names(m.get(me)) : List.of();
        if (replicas.isEmpty()) {
            return StepOutcome.verdict(Status.PASS, "no replicas listed for " + me, Evidence.none());
        }
        Duration warn = lag(step, WARN, 5);
        Duration critical = lag(step, CRITICAL, 10);
        List<List<Object>> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Metric> metrics = new ArrayList<>();
        Status status = Status.PASS;
        for (String replica : replicas) {
            String verdict;
            Object lagSeconds = null;
            Status s;
            try {
                ResultTable t = context.onTarget(replica).query(LAG);
                boolean inRecovery = Boolean.TRUE.equals(t.rows().get(0).get(0));
                lagSeconds = t.rows().get(0).get(1);
                if (!inRecovery) {
                    s = Status.FAIL;
                    verdict = "not a replica: pg_is_in_recovery() is false (promoted, or the wrong server is listed)";
                } else if (lagSeconds == null) {
                    s = Status.FAIL;
                    verdict = "has replayed no transaction yet: lag unknown";
                } else {
                    double secs = ((Number) lagSeconds).doubleValue();
                    Duration d = Duration.ofMillis(Math.round(secs * 1000));
                    s = d.compareTo(critical) > 0 ? Status.FAIL : d.compareTo(warn) >= 0 ? Status.WARN : Status.PASS;
                    verdict = s == Status.PASS ? "healthy" : s == Status.WARN ? "warning" : "critical";
                    metrics.add(Metric.gauge("pgrunbook_shard_replica_lag_seconds", "Replay lag of a shard's replica",
                            Map.of("shard", me, "replica", replica), secs));
                }
            } catch (IllegalArgumentException e) {
                s = Status.FAIL;
                verdict = "unreachable (see the run's targets for the connection error)";
            } catch (SQLException e) {
                s = Status.FAIL;
                verdict = "cannot be measured: " + SqlStates.describe(e);
            }
            status = Status.worst(status, s);
            if (s != Status.PASS) {
                problems.add(replica + " " + verdict + (lagSeconds instanceof Number n ? String.format(java.util.Locale.ROOT, " (lag %.1fs)", n.doubleValue()) : ""));
            }
            List<Object> row = new ArrayList<>(List.of(me, replica));
            row.add(lagSeconds);
            row.add(verdict);
            rows.add(row);
        }
        Evidence evidence = new Evidence("replica lag < " + Durations.show(warn) + " (fail above " + Durations.show(critical) + ")",
                problems.isEmpty() ? "all replicas within " + Durations.show(warn) : problems.size() + " replica(s) behind or wrong",
                List.of("shard", "replica", "lag_seconds", "verdict"), rows, rows.size());
        String message = problems.isEmpty() ? replicas.size() + " replica(s) of " + me + " within " + Durations.show(warn)
                : me + ": " + String.join("; ", problems);
        return StepOutcome.verdict(status, message, evidence).withMetrics(metrics);
    }

    private static Duration lag(Step step, ParamSpec p, long fallbackSeconds) {
        return step.with().get(p.name()) instanceof Duration d ? d : Duration.ofSeconds(fallbackSeconds);
    }

    private static List<String> names(Object v) {
        if (v instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return v == null ? List.of() : List.of(String.valueOf(v));
    }
}
