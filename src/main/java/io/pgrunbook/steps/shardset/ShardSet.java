package io.pgrunbook.steps.shardset;

import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shard map every {@code shardset.*} step shares: which targets are the shards and in what order
 * (the order is the shard index jump hash returns), which column is each table's key, and how keys
 * are hashed. A shardset step runs once per shard (a fan-out over the shards), so a dead shard errors
 * only its own result while the others are checked; cross-shard work reaches the other shards through
 * {@code StepContext.onTarget}.
 */
final class ShardSet {
    static final ParamSpec SHARDS = ParamSpec.optional("shards", ValueKind.STRING_LIST,
            "the shard targets in shard-index order (default: the step's targets, in order)");
    static final ParamSpec TABLES = ParamSpec.required("tables", ValueKind.MAP,
            "each sharded table and its shard-key column, e.g. { orders: restaurant_id }");
    static final ParamSpec HASH = ParamSpec.optional("hash", ValueKind.STRING,
            "how the router hashes keys: " + String.join(", ", KeyHash.keywords()) + " (default integer)");

    private ShardSet() {}

    /** The shard targets in index order. */
    static List<String> shards(Step step) {
        Object given = step.with().get(SHARDS.name());
        if (given instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return step.targets();
    }

    static int index(Step step, String target) {
        return shards(step).indexOf(target);
    }

    /** Table name to key column, in the order the runbook gives them. */
    static Map<String, String> tables(Step step) {
        Map<String, String> out = new LinkedHashMap<>();
        if (step.with().get(TABLES.name()) instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        }
        return out;
    }

    static KeyHash hash(Step step) {
        Object h = step.with().get(HASH.name());
        return h == null ? KeyHash.INTEGER : KeyHash.parse(String.valueOf(h)).orElse(KeyHash.INTEGER);
    }

    /** The checks every shardset step shares: it fans out over exactly the shards, which are targets. */
    static void validateShards(Step step, Set<String> targetNames, Problems problems) {
        String what = "step '" + step.id() + "' (" + step.type() + ")";
        List<String> shards = shards(step);
        if (!step.fanOut()) {
            problems.add(step.location(), what + " runs once per shard: list the shards as targets: ["
                    + String.join(", ", shards.size() > 1 ? shards : new ArrayList<>(targetNames)) + "] (in shard-index order)");
            return;
        }
        Set<String> seen = new HashSet<>();
        for (String s : shards) {
            if (!targetNames.contains(s)) {
                problems.add(step.location(), what + ": shard '" + s + "' is not a target of the runbook"
                        + io.pgrunbook.error.Suggest.hint(s, targetNames));
            }
            if (!seen.add(s)) {
                problems.add(step.location(), what + ": shard '" + s + "' is listed twice; each shard index needs its own target");
            }
        }
        if (!new HashSet<>(shards).equals(new HashSet<>(step.targets()))) {
            problems.add(step.location(), what + ": targets " + step.targets() + " and with.shards " + shards
                    + " must name the same shards (targets say where it runs, shards give the index order)");
        }
    }

    static void validateTables(Step step, Problems problems) {
        String what = "step '" + step.id() + "' (" + step.type() + ")";
        Map<String, String> tables = tables(step);
        if (tables.isEmpty()) {
            problems.add(step.location(), what + ": with.tables names no table; give each sharded table and its key column, "
                    + "e.g. { orders: restaurant_id }");
        }
        tables.forEach((t, c) -> {
            if (c == null || c.isBlank()) {
                problems.add(step.location(), what + ": with.tables." + t + " needs the key column name");
            }
        });
        Object h = step.with().get(HASH.name());
        if (h != null && KeyHash.parse(String.valueOf(h)).isEmpty()) {
            problems.add(step.location(), what + ": with.hash '" + h + "' is not a known key hash; use one of "
                    + String.join(", ", KeyHash.keywords()) + io.pgrunbook.error.Suggest.hint(String.valueOf(h), KeyHash.keywords()));
        }
    }
}
