package io.pgrunbook.cli;

import io.pgrunbook.runbook.Runbook;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "shard-move",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        header = "Grow a jump-hash shard set by one shard, live, resumable and verified.",
        description = {
            "Going from N to N+1 shards, jump consistent hash moves exactly the keys whose hash changes, all of them to the new "
                    + "shard (index N). 'plan' lists them per source shard with rows and bytes and checks the preconditions; 'run' "
                    + "copies them in batches while the application keeps writing (a change-capture trigger on the sources logs "
                    + "what changes), catches up, verifies every moved key (rows and checksum), cuts over (writes the new shard map), "
                    + "waits --grace, then deletes the moved rows from the sources. State is kept on the new shard: a killed run "
                    + "carries on where it stopped when run again; 'cancel' undoes a move before its cutover.",
            "",
            "Examples:",
            "  pgrunbook shard-move plan \\",
            "      --shard s0=postgres://db0/app --shard s1=postgres://db1/app --shard s2=postgres://db2/app \\",
            "      --shard s3=postgres://db3/app --new-shard s4=postgres://db4/app \\",
            "      --table restaurants=restaurant_id --table orders=restaurant_id",
            "  pgrunbook shard-move run --grace 5min --map-file /etc/app/shards.json \\",
            "      --shard s0=postgres://db0/app --shard s1=postgres://db1/app --shard s2=postgres://db2/app \\",
            "      --shard s3=postgres://db3/app --new-shard s4=postgres://db4/app \\",
            "      --table restaurants=restaurant_id --table orders=restaurant_id",
            "  (status and cancel take the same --shard, --new-shard and --table options; cancel needs --yes off a terminal)",
            ""},
        subcommands = {ShardMoveCommand.Plan.class, ShardMoveCommand.Run.class, ShardMoveCommand.Status.class, ShardMoveCommand.Cancel.class})
final class ShardMoveCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "shard-move needs a subcommand: plan, run, status or cancel");
    }

    /** What every subcommand shares: the shard set, the output options, the invocation. */
    abstract static class Base implements Callable<Integer> {
        final AppEnvironment app;

        @Spec
        CommandSpec spec;

        @Mixin
        ShardMoveOptions move;

        @Mixin
        OutputOptions output;

        Base(AppEnvironment app) {
            this.app = app;
        }

        RunbookInvocation invocation() {
            if (app.interactive() && !output.quiet) {
                // Phases and progress (rows, rate, ETA) on stderr as the move runs.
                ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.pgrunbook.steps.shardmove"))
                        .setLevel(ch.qos.logback.classic.Level.INFO);
            }
            return new RunbookInvocation(app, spec.commandLine().getOut(), spec.commandLine().getErr(), output, move.connections());
        }

        Runbook load(RunbookInvocation invocation, String id, String name, String type, Map<String, Object> with) {
            return invocation.loadTree(move.tree(id, name, type, with), "built-in:shard-move", Map.of());
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            header = "Which keys move from which shard (rows, bytes) and whether every precondition passes. Read only.",
            description = {"Preconditions: the new shard is reachable, its schema is identical to the others' (fingerprint of tables, "
                    + "columns, indexes, constraints), it holds no rows of the sharded tables, and every key is on the shard jump hash "
                    + "gives it for N shards. Exit 0 when a run would go ahead, 1 when it would be refused.", ""})
    static final class Plan extends Base {
        Plan(AppEnvironment app) {
            super(app);
        }

        @Override
        public Integer call() {
            RunbookInvocation invocation = invocation();
            return invocation.run(load(invocation, "plan", "Plan the move to " + move.newShardName(), "shardset.move_plan", Map.of()), false, true);
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            header = "Move the keys to the new shard: copy, catch up, verify, cut over, clean up. Run again to resume.",
            description = {"Refuses (exit 1, nothing changed) unless every precondition of the plan passes. A source shard that goes away "
                    + "pauses the move (exit 3); run again when it is back. A verify mismatch lists every differing key and stops "
                    + "before cutover (exit 1).", ""})
    static final class Run extends Base {
        @Option(names = "--batch-size", paramLabel = "ROWS", defaultValue = "5000",
                description = "Rows per copy batch, each one snapshot of its source and one transaction on the new shard. Default: ${DEFAULT-VALUE}.")
        long batchSize;

        @Option(names = "--pause", paramLabel = "DURATION", description = "Pause between batches (e.g. 20ms), to spare a busy source.")
        String pause;

        @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "0s",
                description = "After the new shard map is written, how long applications get to reload it before the moved rows are "
                        + "deleted from the sources. Default: ${DEFAULT-VALUE}.")
        String grace;

        @Option(names = "--map-file", paramLabel = "FILE",
                description = "Also write the new shard map to this JSON file (atomically); it is always in pgrunbook.shard_map on every shard.")
        String mapFile;

        @Option(names = "--dry-run", description = "Print the plan and check the preconditions; change nothing.")
        boolean dryRun;

        @Option(names = {"-y", "--yes"}, description = "Move without asking (required when not on a terminal).")
        boolean yes;

        Run(AppEnvironment app) {
            super(app);
        }

        @Override
        public Integer call() {
            RunbookInvocation invocation = invocation();
            Map<String, Object> with = new LinkedHashMap<>();
            with.put("batch_size", batchSize);
            with.put("grace", grace);
            if (pause != null) {
                with.put("pause", pause);
            }
            if (mapFile != null) {
                with.put("map_file", mapFile);
            }
            Runbook runbook = load(invocation, "move", "Move keys to " + move.newShardName(), "shardset.move", with);
            if (dryRun) {
                invocation.plan(invocation.withOverrides(runbook), false);
                return invocation.run(load(invocation, "plan", "Plan the move to " + move.newShardName(), "shardset.move_plan", Map.of()),
                        false, true);
            }
            return invocation.run(runbook, false, yes);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            header = "The move's phase, batches done, rows, rate and ETA, from its state on the new shard. Read only.")
    static final class Status extends Base {
        Status(AppEnvironment app) {
            super(app);
        }

        @Override
        public Integer call() {
            RunbookInvocation invocation = invocation();
            return invocation.run(load(invocation, "status", "Move to " + move.newShardName(), "shardset.move_status", Map.of()), false, true);
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            header = "Undo an unfinished move before its cutover: copied rows removed, sources as they were.")
    static final class Cancel extends Base {
        @Option(names = {"-y", "--yes"}, description = "Cancel without asking (required when not on a terminal).")
        boolean yes;

        Cancel(AppEnvironment app) {
            super(app);
        }

        @Override
        public Integer call() {
            RunbookInvocation invocation = invocation();
            return invocation.run(load(invocation, "cancel", "Cancel the move to " + move.newShardName(), "shardset.move_cancel", Map.of()),
                    false, yes);
        }
    }
}
