package io.pgrunbook.cli;

import io.pgrunbook.error.PgRunbookException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The shard set a move works on, given as validate-shards takes it, plus the shard being added. */
public final class ShardMoveOptions {
    @Option(names = "--shard", paramLabel = "NAME=CONNECTION", required = true,
            description = "An existing shard, in shard-index order (the first is index 0); repeatable.")
    Map<String, String> shards = new LinkedHashMap<>();

    @Option(names = "--new-shard", paramLabel = "[NAME=]CONNECTION", required = true,
            description = "The shard being added (index N); its name defaults to shardN.")
    String newShard;

    @Option(names = "--table", paramLabel = "TABLE=KEY", required = true,
            description = "A sharded table and its shard-key column, parents first (rows are deleted children first); repeatable.")
    List<String> tables = new ArrayList<>();

    @Option(names = "--hash", paramLabel = "HASH", defaultValue = "integer", completionCandidates = Candidates.Hashes.class,
            description = "How the application's router hashes keys before jump hash: integer, fnv1a64, xxhash64. Default: ${DEFAULT-VALUE}.")
    String hash;

    /** libpq keywords that can start a connection string: "host=db4 dbname=app" names no shard. */
    private static final java.util.Set<String> CONNINFO_KEYWORDS = java.util.Set.of("host", "hostaddr", "port", "dbname", "user",
            "password", "passfile", "service", "sslmode", "connect_timeout", "application_name", "options", "target_session_attrs");

    String newShardName() {
        int eq = newShard.indexOf('=');
        String prefix = eq > 0 ? newShard.substring(0, eq) : "";
        return prefix.matches("[A-Za-z_][A-Za-z0-9_-]*") && !CONNINFO_KEYWORDS.contains(prefix) ? prefix : "shard" + shards.size();
    }

    String newShardConnection() {
        String name = newShardName();
        return newShard.startsWith(name + "=") ? newShard.substring(name.length() + 1) : newShard;
    }

    /** Every shard's connection, the new one included, as --target overrides of the tree's targets. */
    TargetOptions connections() {
        TargetOptions t = new TargetOptions();
        t.targets.putAll(shards);
        t.targets.put(newShardName(), newShardConnection());
        return t;
    }

    /** The runbook tree of one shardset.move* step on the new shard, with the shard set as targets. */
    Map<String, Object> tree(String id, String name, String type, Map<String, Object> extra) {
        if (shards.containsKey(newShardName())) {
            throw PgRunbookException.invalid("--new-shard " + newShardName() + " is also given with --shard; the new shard must not be in the map yet");
        }
        Map<String, Object> tableKeys = TableKeys.parse(tables);
        // Connections are applied as --target overrides, not written into the tree: the loader refuses
        // a password in a runbook, and a connection string given on the command line may carry one.
        Map<String, Object> targets = new LinkedHashMap<>();
        shards.keySet().forEach(shard -> targets.put(shard, null));
        targets.put(newShardName(), null);
        Map<String, Object> with = new LinkedHashMap<>();
        with.put("shards", new ArrayList<>(shards.keySet()));
        with.put("new_shard", newShardName());
        with.put("tables", tableKeys);
        with.put("hash", hash);
        with.putAll(extra);
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("id", id);
        step.put("name", name);
        step.put("type", type);
        step.put("target", newShardName());
        step.put("timeout", "10min");
        step.put("with", with);
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("name", "shard-move");
        tree.put("description", "Grow a shard set of " + shards.size() + " shards to " + (shards.size() + 1) + " (jump consistent hash, "
                + hash + " keys)");
        tree.put("targets", targets);
        tree.put("steps", List.of(step));
        return tree;
    }
}
