package io.pgrunbook.steps.shardset;

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
import io.pgrunbook.runbook.sql.NamedSql;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code shardset.disk}: each shard's database size against the capacity the runbook declares for it
 * (a server cannot tell how big its disk is from SQL): below 70 % healthy, 70 to 85 % warning, above
 * 85 % critical (seed 004), overridable.
 */
public final class DiskUsageStep implements StepType {
    private static final NamedSql DATABASE_SIZE = NamedSql.parse("SELECT pg_database_size(current_database()) AS bytes");
    private static final ParamSpec CAPACITY = ParamSpec.required("capacity", ValueKind.ANY,
            "the shard's capacity (100GB, 1.5TB), or a mapping of shard to capacity");
    private static final ParamSpec WARN = ParamSpec.optional("warn_percent", ValueKind.NUMBER, "use from which the shard warns (default 70)");
    private static final ParamSpec CRITICAL = ParamSpec.optional("critical_percent", ValueKind.NUMBER,
            "use above which the shard fails (default 85)");

    @Override
    public String name() {
        return "shardset.disk";
    }

    @Override
    public String summary() {
        return "each shard's database size against its declared capacity (warn 70 %, fail above 85 %)";
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
        return List.of(ShardSet.SHARDS, CAPACITY, WARN, CRITICAL);
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        if (step.with().containsKey(ShardSet.SHARDS.name())) {
            ShardSet.validateShards(step, targetNames, problems);
        }
        Object c = step.with().get(CAPACITY.name());
        if (c instanceof Map<?, ?> m) {
            m.forEach((shard, size) -> {
                if (!targetNames.contains(String.valueOf(shard))) {
                    problems.add(step.location(), "step '" + step.id() + "': with.capacity names '" + shard + "', which is not a target");
                }
                if (ByteSizes.parse(size).isEmpty()) {
                    problems.add(step.location(), "step '" + step.id() + "': with.capacity." + shard + " '" + size
                            + "' is not a size such as 500GB or 2TB");
                }
            });
            for (String t : step.targets()) {
                if (!m.containsKey(t)) {
                    problems.add(step.location(), "step '" + step.id() + "': with.capacity gives no capacity for shard '" + t + "'");
                }
            }
        } else if (c != null && ByteSizes.parse(c).isEmpty()) {
            problems.add(step.location(), "step '" + step.id() + "': with.capacity '" + c + "' is not a size such as 500GB or 2TB");
        }
        if (percent(step, WARN, 70) > percent(step, CRITICAL, 85)) {
            problems.add(step.location(), "step '" + step.id() + "': warn_percent must not exceed critical_percent");
        }
    }

    @Override
    public List<String> describe(Step step) {
        return List.of(DATABASE_SIZE.text() + " on each shard, against with.capacity " + step.with().get(CAPACITY.name()),
                "warn at " + percent(step, WARN, 70) + " %, fail above " + percent(step, CRITICAL, 85) + " %");
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        Step step = context.step();
        String me = context.targetName();
        Object c = step.with().get(CAPACITY.name());
        Optional<Long> capacity = ByteSizes.parse(c instanceof Map<?, ?> m ? m.get(me) : c);
        if (capacity.isEmpty()) {
            return StepOutcome.verdict(Status.ERROR, "no capacity declared for shard " + me + " in with.capacity", Evidence.none());
        }
        long bytes = ((Number) context.query(DATABASE_SIZE).rows().get(0).get(0)).longValue();
        double used = 100.0 * bytes / capacity.get();
        double warn = percent(step, WARN, 70);
        double critical = percent(step, CRITICAL, 85);
        Status status = used > critical ? Status.FAIL : used >= warn ? Status.WARN : Status.PASS;
        String usedText = String.format(Locale.ROOT, "%.1f%%", used);
        Evidence evidence = new Evidence("below " + warn + " % of capacity (fail above " + critical + " %)", usedText + " used",
                List.of("shard", "database_bytes", "database_size", "capacity", "used_pct"),
                List.of(List.of(me, bytes, ByteSizes.show(bytes), ByteSizes.show(capacity.get()), Math.round(used * 10) / 10.0)), 1);
        String message = me + " uses " + ByteSizes.show(bytes) + " of " + ByteSizes.show(capacity.get()) + " (" + usedText + ")"
                + (status == Status.PASS ? "" : status == Status.WARN ? ": plan capacity (archive old rows, vacuum, or add a shard)"
                : ": above " + critical + " %: archive or move data now");
        return StepOutcome.verdict(status, message, evidence).withMetrics(List.of(
                Metric.gauge("pgrunbook_shard_disk_used_ratio", "Shard database size over its declared capacity", Map.of("shard", me), used / 100)));
    }

    private static double percent(Step step, ParamSpec p, double fallback) {
        return step.with().get(p.name()) instanceof Number n ? n.doubleValue() : fallback;
    }
}
