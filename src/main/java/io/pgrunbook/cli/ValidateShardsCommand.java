package io.pgrunbook.cli;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.runbook.Runbook;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "validate-shards",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        header = "Prove a sharded database is laid out, reachable and routed as it should be.",
        description = {
            "Shard-set mode (application-level sharding, jump consistent hash over N PostgreSQL servers): give the "
                    + "shards in shard-index order with --shard and each table's key column with --table. Every shard "
                    + "is probed (HEALTHY/DEGRADED/UNHEALTHY), its schema compared with the others', and its rows checked: "
                    + "a key that hashes to another shard, or that is also on another shard, is named with the shard and "
                    + "table. Shards are checked in parallel: a dead one costs its connect timeout once.",
            "",
            "Citus mode (--citus --db COORDINATOR): runs the shipped validate-shards-citus.yaml checklist.",
            "",
            "Everything is read-only. Exit 0 when every shard is healthy and routed right, 1 when not.",
            "",
            "Examples:",
            "  pgrunbook validate-shards --shard s0=postgres://db0/app --shard s1=postgres://db1/app \\",
            "      --table orders=restaurant_id --table menus=restaurant_id",
            "  pgrunbook validate-shards --shard s0=postgres://db0/app --shard s1=postgres://db1/app \\",
            "      --table users=email --hash xxhash64 --full",
            "  pgrunbook validate-shards --runbook my-shards.yaml",
            "  pgrunbook validate-shards --citus --db postgres://coordinator/app --table ext_storage_records",
            ""})
final class ValidateShardsCommand implements Callable<Integer> {
    static final String CITUS_RUNBOOK = "validate-shards-citus.yaml";
    /** Shards checked at once; beyond this the engine queues them (each check is cheap next to a connect timeout). */
    private static final int MAX_PARALLEL = 16;

    private final AppEnvironment app;

    @Spec
    CommandSpec spec;

    @Option(names = "--shard", paramLabel = "NAME=CONNECTION",
            description = "A shard, in shard-index order (the first is index 0); repeatable.")
    Map<String, String> shards = new LinkedHashMap<>();

    @Option(names = "--table", paramLabel = "TABLE=KEY",
            description = "A sharded table and its shard-key column (shard-set mode), or a distributed table (--citus); repeatable.")
    List<String> tables = new ArrayList<>();

    @Option(names = "--hash", paramLabel = "HASH", defaultValue = "integer", completionCandidates = Candidates.Hashes.class,
            description = "How the application's router hashes keys before jump hash: integer (the key as is), fnv1a64, xxhash64 "
                    + "(of the key's text). Default: ${DEFAULT-VALUE}.")
    String hash;

    @Option(names = "--full", description = "Read every row of every table instead of a sample of --sample-rows per shard.")
    boolean full;

    @Option(names = "--sample-rows", paramLabel = "N", defaultValue = "1000",
            description = "Rows sampled per table per shard (TABLESAMPLE SYSTEM). Default: ${DEFAULT-VALUE}.")
    long sampleRows;

    @Option(names = "--probes", paramLabel = "N", defaultValue = "10",
            description = "Probe queries per shard for its health state. Default: ${DEFAULT-VALUE}.")
    int probes;

    @Option(names = "--capacity", paramLabel = "SIZE",
            description = "Each shard's disk capacity (e.g. 500GB): adds the disk-use check (warn 70 %%, fail above 85 %%).")
    String capacity;

    @Option(names = "--runbook", paramLabel = "FILE", description = "Run this shard-set runbook instead of building one from options.")
    Path runbook;

    @Option(names = "--citus", description = "Validate a Citus cluster through its coordinator (--db).")
    boolean citus;

    @Option(names = "--skew-factor", paramLabel = "F",
            description = "Citus: warn when the largest node holds more than F times the mean.")
    Double skewFactor;

    @Option(names = "--dry-run", description = "Print the plan and connect to nothing.")
    boolean dryRun;

    @Mixin
    VarOptions vars;

    @Mixin
    TargetOptions targets;

    @Mixin
    OutputOptions output;

    ValidateShardsCommand(AppEnvironment app) {
        this.app = app;
    }

    @Override
    public Integer call() {
        RunbookInvocation invocation = new RunbookInvocation(app, spec.commandLine().getOut(), spec.commandLine().getErr(), output, targets);
        Runbook r = citus ? citus(invocation) : runbook != null ? fromFile(invocation) : shardSet(invocation);
        return dryRun ? invocation.plan(invocation.withOverrides(r), false) : invocation.run(r, false, false);
    }

    private Runbook citus(RunbookInvocation invocation) {
        if (!shards.isEmpty() || runbook != null) {
            throw PgRunbookException.invalid("--citus validates a Citus cluster through --db; --shard and --runbook are for shard sets");
        }
        if (targets.db == null && !targets.sandbox) {
            throw PgRunbookException.invalid("--citus needs the coordinator: --db postgres://USER@COORDINATOR/DB");
        }
        if (RunbookInvocation.class.getResource("/runbooks/" + CITUS_RUNBOOK) == null) {
            throw new PgRunbookException(ExitCode.CANNOT_RUN, "the Citus checklist (runbooks/" + CITUS_RUNBOOK
                    + ") is not part of this build of pgrunbook, so --citus cannot run; use a build that ships it");
        }
        Map<String, String> sets = new LinkedHashMap<>(vars.sets);
        for (String t : tables) {
            if (t.contains("=")) {
                throw PgRunbookException.invalid("--table " + t + ": with --citus give the distributed table's name only; "
                        + "Citus knows its distribution column");
            }
        }
        if (!tables.isEmpty()) {
            sets.put("tables", String.join(",", tables));
        }
        if (skewFactor != null) {
            sets.put("skew_factor", String.valueOf(skewFactor));
        }
        return invocation.loadShipped(CITUS_RUNBOOK, sets);
    }

    private Runbook fromFile(RunbookInvocation invocation) {
        if (!shards.isEmpty() || !tables.isEmpty()) {
            throw PgRunbookException.invalid("--runbook FILE takes its shard map from the file; give connections with --target NAME=...");
        }
        return invocation.load(runbook, vars.sets);
    }

    private Runbook shardSet(RunbookInvocation invocation) {
        if (shards.isEmpty()) {
            throw PgRunbookException.invalid("validate-shards needs the shards: --shard NAME=CONNECTION for each, in shard-index "
                    + "order (or --runbook FILE, or --citus --db COORDINATOR)");
        }
        if (targets.sandbox || targets.db != null || !targets.targets.isEmpty()) {
            throw PgRunbookException.invalid("--shard gives every shard's connection; --db, --target and --sandbox do not apply");
        }
        if (!vars.sets.isEmpty()) {
            throw PgRunbookException.invalid("--set applies to --runbook FILE; the built-in shard-set runbook takes options");
        }
        if (tables.isEmpty()) {
            throw PgRunbookException.invalid("validate-shards needs each sharded table's key column: --table TABLE=KEY_COLUMN "
                    + "(e.g. --table orders=restaurant_id)");
        }
        Map<String, Object> tableKeys = TableKeys.parse(tables);
        if (probes < 1) {
            throw PgRunbookException.invalid("--probes must be at least 1");
        }
        List<String> names = new ArrayList<>(shards.keySet());
        int parallel = Math.min(MAX_PARALLEL, names.size());

        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("name", "validate-shards");
        tree.put("description", "Shard set of " + names.size() + " shards (jump consistent hash, " + hash + " keys)");
        // Connections go in as --target overrides, not into the tree: the loader refuses a password
        // written in a runbook, and one given on the command line is the user's to give.
        Map<String, Object> targetTree = new LinkedHashMap<>();
        shards.keySet().forEach(name -> targetTree.put(name, null));
        targets.targets.putAll(shards);
        tree.put("targets", targetTree);
        List<Object> steps = new ArrayList<>();
        steps.add(step("shard-health", "Every shard answers its probes (HEALTHY; an unreachable shard is ERROR: UNHEALTHY)", "shardset.health", names, parallel,
                Map.of("probes", (long) probes)));
        steps.add(step("schema-parity", "Every shard has the same schema", "shardset.schema", names, parallel,
                Map.of("shards", names, "tables", new ArrayList<>(tableKeys.keySet()))));
        Map<String, Object> routing = new LinkedHashMap<>();
        routing.put("shards", names);
        routing.put("tables", tableKeys);
        routing.put("hash", hash);
        routing.put("full", full);
        routing.put("sample_rows", sampleRows);
        steps.add(step("routing", "Every row is on the shard its key hashes to, and on no other", "shardset.routing", names, parallel, routing));
        if (capacity != null) {
            steps.add(step("disk-use", "Every shard's database fits its capacity", "shardset.disk", names, parallel,
                    Map.of("capacity", capacity)));
        }
        tree.put("steps", steps);
        return invocation.loadTree(tree, "built-in:validate-shards", Map.of());
    }

    private static Map<String, Object> step(String id, String name, String type, List<String> targets, int parallel, Map<String, Object> with) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", id);
        s.put("name", name);
        s.put("type", type);
        s.put("targets", targets);
        s.put("parallel", (long) parallel);
        s.put("with", with);
        return s;
    }
}
