package io.pgrunbook.steps.shardset;

import io.pgrunbook.db.SqlStates;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.engine.StepType;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code shardset.schema}: every shard has the same tables, columns, types, indexes and constraints.
 * Each shard's result compares its fingerprint with the one most shards share; when no fingerprint is
 * held by more shards than any other (two shards that differ), every differing shard fails.
 */
public final class SchemaParityStep implements StepType {
    private static final ParamSpec TABLES = ParamSpec.optional("tables", ValueKind.ANY,
            "the tables to compare: a list, or the routing step's { table: key } mapping (default: every user table)");
    private static final int MAX_DIFFERENCES = 50;

    @Override
    public String name() {
        return "shardset.schema";
    }

    @Override
    public String summary() {
        return "the same tables, columns, types, indexes and constraints on every shard (fingerprint per shard, differences listed)";
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
        return List.of(ShardSet.SHARDS, TABLES);
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        ShardSet.validateShards(step, targetNames, problems);
        Object t = step.with().get(TABLES.name());
        if (t != null && !(t instanceof List<?>) && !(t instanceof Map<?, ?>)) {
            problems.add(step.location(), "step '" + step.id() + "': with.tables must be a list of tables or a { table: key } mapping");
        }
    }

    @Override
    public Collection<String> otherTargets(Step step) {
        return ShardSet.shards(step);
    }

    @Override
    public List<String> describe(Step step) {
        List<String> tables = tables(step);
        return List.of("compares the catalog of " + String.join(", ", ShardSet.shards(step)) + " (read-only)",
                "tables: " + (tables.isEmpty() ? "every user table" : String.join(", ", tables)));
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        Step step = context.step();
        List<String> shards = ShardSet.shards(step);
        List<String> tables = tables(step);
        String me = context.targetName();
        SchemaFingerprint mine = SchemaFingerprint.of(context, tables);
        Map<String, SchemaFingerprint> all = new LinkedHashMap<>();
        Map<String, String> unreachable = new LinkedHashMap<>();
        for (String shard : shards) {
            if (shard.equals(me)) {
                all.put(me, mine);
                continue;
            }
            try {
                all.put(shard, SchemaFingerprint.of(context.onTarget(shard), tables));
            } catch (IllegalArgumentException e) {
                unreachable.put(shard, "unreachable (see its own result)");
            } catch (SQLException e) {
                unreachable.put(shard, SqlStates.describe(e));
            }
        }
        List<List<Object>> rows = new ArrayList<>();
        Map<String, Long> holders = new LinkedHashMap<>();
        all.values().forEach(f -> holders.merge(f.hash(), 1L, Long::sum));
        long most = holders.values().stream().mapToLong(Long::longValue).max().orElse(0);
        List<String> top = holders.entrySet().stream().filter(e -> e.getValue() == most).map(Map.Entry::getKey).toList();
        String reference = top.size() == 1 ? top.get(0) : null;
        all.forEach((shard, f) -> rows.add(List.of(shard, f.shortHash(), (long) f.items().size(),
                f.hash().equals(reference) ? "shared by " + most + " of " + all.size() + " reachable shards" : "")));
        unreachable.forEach((shard, why) -> rows.add(List.of(shard, "", 0L, "not compared: " + why)));

        if (all.size() == 1) {
            return StepOutcome.verdict(Status.WARN, me + " has schema " + mine.shortHash() + " (" + mine.items().size()
                    + " items) but no other shard could be compared", evidence(mine, rows));
        }
        if (mine.hash().equals(reference)) {
            String msg = me + " matches the schema most shards share (" + mine.shortHash() + ", " + mine.items().size() + " items)";
            return StepOutcome.verdict(unreachable.isEmpty() ? Status.PASS : Status.WARN,
                    unreachable.isEmpty() ? msg : msg + "; not compared: " + String.join(", ", unreachable.keySet()), evidence(mine, rows));
        }
        // Compare with the majority, or without one with the first other shard whose schema differs.
        String against = null;
        SchemaFingerprint other = null;
        for (Map.Entry<String, SchemaFingerprint> e : all.entrySet()) {
            if (reference != null ? e.getValue().hash().equals(reference) : !e.getValue().hash().equals(mine.hash())) {
                against = e.getKey();
                other = e.getValue();
                break;
            }
        }
        if (other == null) {
            return StepOutcome.verdict(Status.PASS, me + " has the same schema as every reachable shard (" + mine.shortHash() + ")",
                    evidence(mine, rows));
        }
        Set<String> missing = new TreeSet<>(other.items());
        missing.removeAll(mine.items());
        Set<String> extra = new TreeSet<>(mine.items());
        extra.removeAll(other.items());
        List<String> differences = new ArrayList<>();
        missing.forEach(i -> differences.add("missing on " + me + ": " + i));
        extra.forEach(i -> differences.add("only on " + me + ": " + i));
        for (String d : differences.subList(0, Math.min(MAX_DIFFERENCES, differences.size()))) {
            rows.add(List.of(me, mine.shortHash(), 0L, d));
        }
        String base = reference != null ? "the schema most shards share (" + against + " and others)" : against + " (no schema is shared by most shards)";
        String message = me + " differs from " + base + ": " + missing.size() + " missing, " + extra.size() + " extra, e.g. "
                + String.join("; ", differences.subList(0, Math.min(3, differences.size())));
        return StepOutcome.verdict(Status.FAIL, message, evidence(mine, rows));
    }

    private static Evidence evidence(SchemaFingerprint mine, List<List<Object>> rows) {
        return new Evidence("the same schema fingerprint on every shard", "this shard: " + mine.shortHash(),
                List.of("shard", "fingerprint", "items", "difference"), rows, rows.size());
    }

    static List<String> tables(Step step) {
        Object t = step.with().get(TABLES.name());
        if (t instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        if (t instanceof Map<?, ?> m) {
            return m.keySet().stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
