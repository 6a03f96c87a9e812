package io.pgrunbook.cli;

import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.runbook.Runbook;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "rebalance",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        header = "Rebalance a Citus cluster's shards: plan, background rebalance followed to its end, then validation.",
        description = {
            "Connects to the Citus coordinator (--db). Runs the shipped citus-rebalance.yaml: the plan "
                    + "(get_rebalance_table_shards_plan), then citus_rebalance_start() - refused while another rebalance is "
                    + "scheduled or running - followed with progress until the background job ends, then the validate-shards "
                    + "Citus checks (placements, nothing orphaned, a query per shard, node health). PASS only when the job "
                    + "finished and the checks pass; a failed or cancelled job is FAIL with Citus's error.",
            "",
            "The job runs inside the cluster: Ctrl-C or --max-time only stop following it. Then --status shows it and "
                    + "--stop cancels it (moves already done stay done).",
            "",
            "Examples:",
            "  pgrunbook rebalance --db postgres://dba@coordinator/app --dry-run",
            "  pgrunbook rebalance --db postgres://dba@coordinator/app --shard-transfer-mode block_writes --yes",
            "  pgrunbook rebalance --db postgres://dba@coordinator/app --drain-node 10.0.0.7:5432 --max-time 2h",
            "  pgrunbook rebalance --db postgres://dba@coordinator/app --status",
            "  pgrunbook rebalance --db postgres://dba@coordinator/app --stop --yes",
            ""})
final class RebalanceCommand implements Callable<Integer> {
    static final String RUNBOOK = "citus-rebalance.yaml";
    private static final String TARGET = "coordinator";

    private final AppEnvironment app;

    @Spec
    CommandSpec spec;

    @Option(names = "--dry-run", description = "Show the planned moves (table, shard, size, from, to); change nothing.")
    boolean dryRun;

    @Option(names = "--status", description = "Show the latest rebalance job and its moves; change nothing.")
    boolean status;

    @Option(names = "--stop", description = "Cancel the running rebalance job (citus_rebalance_stop()).")
    boolean stop;

    @Option(names = "--strategy", paramLabel = "NAME", description = "Rebalance strategy from pg_dist_rebalance_strategy (default: the cluster's default).")
    String strategy;

    @Option(names = "--threshold", paramLabel = "RATIO",
            description = "With --dry-run: plan with this threshold instead of the strategy's (citus_rebalance_start takes none).")
    Double threshold;

    @Option(names = "--shard-transfer-mode", paramLabel = "MODE", completionCandidates = Candidates.TransferModes.class,
            description = "auto, force_logical or block_writes (default: auto: logical replication, needs a replica identity on every table).")
    String mode;

    @Option(names = "--drain-node", paramLabel = "HOST:PORT",
            description = "Empty this worker: set its shouldhaveshards to false, then rebalance with drain_only.")
    String drainNode;

    @Option(names = "--max-time", paramLabel = "DURATION",
            description = "Stop following after this long (e.g. 2h); the job keeps running. Default: follow to the end.")
    String maxTime;

    @Option(names = {"-y", "--yes"}, description = "Start (or stop) without asking (required when not on a terminal).")
    boolean yes;

    @Mixin
    TargetOptions targets;

    @Mixin
    OutputOptions output;

    RebalanceCommand(AppEnvironment app) {
        this.app = app;
    }

    @Override
    public Integer call() {
        if ((dryRun ? 1 : 0) + (status ? 1 : 0) + (stop ? 1 : 0) > 1) {
            throw PgRunbookException.invalid("give one of --dry-run, --status and --stop");
        }
        if (threshold != null && !dryRun) {
            throw PgRunbookException.invalid("--threshold applies to --dry-run only: citus_rebalance_start() rebalances with its "
                    + "strategy's default_threshold; to rebalance with another, create a strategy (citus_add_rebalance_strategy) "
                    + "and give it with --strategy");
        }
        if ((status || stop) && (strategy != null || mode != null || drainNode != null || maxTime != null)) {
            throw PgRunbookException.invalid("--status and --stop act on the running job; --strategy, --shard-transfer-mode, "
                    + "--drain-node and --max-time apply to starting one");
        }
        if (mode != null && !List.of("auto", "force_logical", "block_writes").contains(mode)) {
            throw PgRunbookException.invalid("--shard-transfer-mode " + mode + ": give auto, force_logical or block_writes");
        }
        RunbookInvocation invocation = new RunbookInvocation(app, spec.commandLine().getOut(), spec.commandLine().getErr(), output, targets);
        if (dryRun || status) {
            // Both only read, in a READ ONLY transaction: no confirmation needed.
            return invocation.run(single(invocation, dryRun ? "plan" : "status"), false, true);
        }
        if (stop) {
            return invocation.run(single(invocation, "stop"), false, yes);
        }
        if (app.interactive() && !output.quiet) {
            // Progress (moves done of total, bytes of the current move) every few seconds on stderr.
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.pgrunbook.steps.citus"))
                    .setLevel(ch.qos.logback.classic.Level.INFO);
        }
        Map<String, String> sets = new LinkedHashMap<>();
        put(sets, "strategy", strategy);
        put(sets, "shard_transfer_mode", mode);
        put(sets, "drain_node", drainNode);
        put(sets, "max_time", maxTime);
        return invocation.run(invocation.loadShipped(RUNBOOK, sets), true, yes);
    }

    private Runbook single(RunbookInvocation invocation, String action) {
        Map<String, Object> with = new LinkedHashMap<>();
        with.put("action", action);
        if (strategy != null) {
            with.put("strategy", strategy);
        }
        if (threshold != null) {
            with.put("threshold", threshold);
        }
        if (drainNode != null) {
            with.put("drain_node", drainNode);
        }
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("id", action.equals("plan") ? "plan" : action);
        step.put("name", switch (action) {
            case "plan" -> "The moves the rebalancer plans (read only, nothing changed)";
            case "status" -> "The latest rebalance job (read only)";
            default -> "Stop the running rebalance job";
        });
        step.put("type", "citus.rebalance");
        step.put("with", with);
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("name", "citus-rebalance-" + action);
        Map<String, Object> targetTree = new LinkedHashMap<>();
        targetTree.put(TARGET, null);
        tree.put("targets", targetTree);
        tree.put("steps", List.of(step));
        return invocation.loadTree(tree, "built-in:rebalance", Map.of());
    }

    private static void put(Map<String, String> sets, String name, String value) {
        if (value != null) {
            sets.put(name, value);
        }
    }
}
