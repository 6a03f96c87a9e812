package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepType;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.steps.shardset.KeyHash;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the {@code shardset.move*} step types share: they run on the new shard (where the move's
 * state lives) and reach the existing shards, given in shard-index order, as other targets.
 */
abstract class MoveStepBase implements StepType {
    static final String SHARDS = "shards";
    static final String NEW_SHARD = "new_shard";
    static final String TABLES = "tables";
    static final String HASH = "hash";
    static final String BATCH_SIZE = "batch_size";
    static final String PAUSE = "pause";
    static final String GRACE = "grace";
    static final String MAP_FILE = "map_file";

    static final List<ParamSpec> COMMON = List.of(
            ParamSpec.required(SHARDS, ValueKind.STRING_LIST, "the existing shard targets in shard-index order (N of them)"),
            ParamSpec.required(NEW_SHARD, ValueKind.STRING, "the target of the shard being added (index N); the step runs there"),
            ParamSpec.required(TABLES, ValueKind.MAP, "each sharded table and its shard-key column, parents first, e.g. "
                    + "{ restaurants: restaurant_id, orders: restaurant_id }; rows are deleted in the reverse order"),
            ParamSpec.optional(HASH, ValueKind.STRING, "how the router hashes keys: " + String.join(", ", KeyHash.keywords()) + " (default integer)"));

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
        return COMMON;
    }

    @Override
    public Collection<String> otherTargets(Step step) {
        return MoveConfig.from(step.with()).shards();
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        String what = "step '" + step.id() + "' (" + step.type() + ")";
        Map<String, Object> w = step.with();
        MoveConfig c = MoveConfig.from(w);
        if (step.fanOut() || step.targets().size() != 1 || !step.targets().get(0).equals(c.newShard())) {
            problems.add(step.location(), what + " runs on the new shard, where the move's state is kept: give target: " + c.newShard());
        }
        if (c.shards().isEmpty()) {
            problems.add(step.location(), what + ": with.shards names no shard; list the existing shards in shard-index order");
        }
        if (c.shards().contains(c.newShard())) {
            problems.add(step.location(), what + ": the new shard '" + c.newShard() + "' is also in with.shards; it must be a shard not yet in the map");
        }
        if (new java.util.HashSet<>(c.shards()).size() != c.shards().size()) {
            problems.add(step.location(), what + ": a shard is listed twice in with.shards " + c.shards());
        }
        List<String> all = new ArrayList<>(c.shards());
        all.add(c.newShard());
        for (String s : all) {
            if (!targetNames.contains(s)) {
                problems.add(step.location(), what + ": shard '" + s + "' is not a target of the runbook" + io.pgrunbook.error.Suggest.hint(s, targetNames));
            }
        }
        if (c.tables().isEmpty()) {
            problems.add(step.location(), what + ": with.tables names no table; give each sharded table and its key column, parents first");
        }
        Object h = w.get(HASH);
        if (h != null && KeyHash.parse(String.valueOf(h)).isEmpty()) {
            problems.add(step.location(), what + ": with.hash '" + h + "' is not a known key hash; use one of " + String.join(", ", KeyHash.keywords()));
        }
        if (w.get(BATCH_SIZE) instanceof Number n && n.longValue() < 1) {
            problems.add(step.location(), what + ": with.batch_size must be at least 1 row, got " + n);
        }
    }

    static List<String> describeMap(Step step) {
        MoveConfig c = MoveConfig.from(step.with());
        List<String> lines = new ArrayList<>();
        lines.add("shards (index order): " + String.join(", ", c.shards()) + "; new shard: " + c.newShard() + " (index " + c.oldCount() + ")");
        lines.add("key hash: " + c.hash().description() + ", then jump consistent hash over " + c.oldCount() + " -> " + (c.oldCount() + 1)
                + " shards: exactly the keys whose hash changes move, all to " + c.newShard());
        c.tables().forEach((t, k) -> lines.add("table " + t + ", key " + k));
        return lines;
    }

    static Evidence evidence(String expected, String observed, List<String> columns, List<List<Object>> rows) {
        return new Evidence(expected, observed, columns, rows, rows.size());
    }
}
