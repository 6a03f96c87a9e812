package io.pgrunbook.cli;

import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.runbook.Runbook;
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

@Command(name = "ttl-sweep",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        header = "Delete expired rows in short batches that never hold up the application, and report the backlog.",
        description = {
            "Finds expired rows scope by scope (tenant, install, namespace) through the index on the expiry, and deletes them "
                    + "in batches, each its own short transaction: rows another session holds are skipped (SKIP LOCKED) and "
                    + "counted, and each row's expiry is checked again against the server's clock at delete time, so a row "
                    + "extended meanwhile survives. Refuses when EXPLAIN shows no index on the expiry (unless --force), and "
                    + "on Citus when a batch would fan out to several shards. Stops between batches at --max-run-time or on "
                    + "Ctrl-C: what was deleted is committed and reported; the next run carries on.",
            "",
            "Defaults fit the seed 001 table ext_storage_records (expires_at; tenant_id, install_id, namespace).",
            "",
            "Examples:",
            "  pgrunbook ttl-sweep --db postgres://ops@db1/app --dry-run",
            "  pgrunbook ttl-sweep --db postgres://ops@db1/app --tenant 5f0c2a9e-61b4-4d8e-9a57-3f2d1c0b9e41 --namespace sessions --yes",
            "  pgrunbook ttl-sweep --db postgres://ops@db1/app --sample 50 --rate-limit 2000 --max-run-time 5min -q --yes \\",
            "      --max-pending 100000 --report prometheus=/var/lib/node_exporter/ttl.prom",
            ""})
final class TtlSweepCommand implements Callable<Integer> {
    private final AppEnvironment app;

    @Spec
    CommandSpec spec;

    @Option(names = "--table", paramLabel = "TABLE", defaultValue = "ext_storage_records", description = "Table to sweep (default: ${DEFAULT-VALUE}).")
    String table;

    @Option(names = "--expiry-column", paramLabel = "COLUMN", description = "Column holding the expiry (default: expires_at unless --expiry-expression).")
    String expiryColumn;

    @Option(names = "--expiry-expression", paramLabel = "SQL", description = "Instead of a column: an expression over the row, e.g. \"created_at + interval '30 days'\" (column + interval is swept through the column's own index).")
    String expiryExpression;

    @Option(names = "--scope-columns", paramLabel = "COLUMNS", split = ",", defaultValue = "tenant_id,install_id,namespace",
            description = "Columns that split the table into scopes; each batch stays in one (default: ${DEFAULT-VALUE}). "
                    + "Give --scope-columns= for none.")
    List<String> scopeColumns = new ArrayList<>();

    @Option(names = "--tenant", paramLabel = "ID", description = "Sweep only this tenant (scope column tenant_id).")
    String tenant;

    @Option(names = "--install", paramLabel = "ID", description = "Sweep only this install (scope column install_id).")
    String install;

    @Option(names = "--namespace", paramLabel = "NAME", description = "Sweep only this namespace (scope column namespace).")
    String namespace;

    @Option(names = "--scope", paramLabel = "COLUMN=VALUE", description = "Sweep only scopes where this scope column has this value (repeatable).")
    Map<String, String> scope = new LinkedHashMap<>();

    @Option(names = "--sample", paramLabel = "N", description = "Sweep N random scopes that have expired rows (the sampling sweep).")
    Integer sample;

    @Option(names = "--select-batch-size", paramLabel = "ROWS", description = "Row keys read per select batch (default 5000).")
    Integer selectBatchSize;

    @Option(names = "--delete-batch-size", paramLabel = "ROWS", description = "Rows per delete batch, each its own transaction (default 5000).")
    Integer deleteBatchSize;

    @Option(names = "--rate-limit", paramLabel = "ROWS_PER_S", description = "Delete at most this many rows per second.")
    Double rateLimit;

    @Option(names = "--max-run-time", paramLabel = "DURATION", description = "Start no batch after this long (e.g. 5min); the rest waits for the next run.")
    String maxRunTime;

    @Option(names = "--pause", paramLabel = "DURATION", description = "Pause between delete batches (e.g. 50ms).")
    String pause;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "1s", description = "lock_timeout of each batch (default: ${DEFAULT-VALUE}).")
    String lockTimeout;

    @Option(names = "--statement-timeout", paramLabel = "DURATION", defaultValue = "30s", description = "statement_timeout of each batch (default: ${DEFAULT-VALUE}).")
    String statementTimeout;

    @Option(names = "--max-replica-lag", paramLabel = "DURATION", description = "Pause while a replica's replay lag (pg_stat_replication) exceeds this.")
    String maxReplicaLag;

    @Option(names = "--max-pending", paramLabel = "ROWS", description = "Fail (exit 1) when more expired rows than this remain afterwards (the backlog alert).")
    Long maxPending;

    @Option(names = "--strategy", paramLabel = "HOW", completionCandidates = StrategyCandidates.class,
            description = "How batches find expired rows: auto (default: block ranges when at least 5%% of a plain table has expired, "
                    + "else the expiry index), index (scope by scope through the expiry index), blocks (heap block ranges in "
                    + "physical order, PostgreSQL 14+).")
    String strategy;

    /** The strategies for completion, from the domain's own list. */
    static final class StrategyCandidates extends java.util.ArrayList<String> {
        StrategyCandidates() {
            super(io.pgrunbook.steps.ttl.TtlConfig.Strategy.keywords());
        }
    }

    @Option(names = "--force", description = "Sweep even when EXPLAIN shows no index on the expiry.")
    boolean force;

    @Option(names = "--dry-run", description = "Print the plan, then count pending rows per scope and EXPLAIN the batches in a READ ONLY transaction; delete nothing.")
    boolean dryRun;

    @Option(names = {"-y", "--yes"}, description = "Delete without asking (required when not on a terminal).")
    boolean yes;

    @Mixin
    TargetOptions targets;

    @Mixin
    OutputOptions output;

    TtlSweepCommand(AppEnvironment app) {
        this.app = app;
    }

    @Override
    public Integer call() {
        RunbookInvocation invocation = new RunbookInvocation(app, spec.commandLine().getOut(), spec.commandLine().getErr(), output, targets);
        if (app.interactive() && !output.quiet) {
            // Progress (rows deleted, rate) every few seconds on stderr.
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.pgrunbook.steps.ttl")).setLevel(ch.qos.logback.classic.Level.INFO);
        }
        if (dryRun) {
            invocation.plan(invocation.withOverrides(invocation.loadTree(tree(false), "built-in:ttl-sweep", Map.of())), false);
            // The dry-run step only reads, in a READ ONLY transaction: no confirmation needed.
            return invocation.run(invocation.loadTree(tree(true), "built-in:ttl-sweep", Map.of()), false, true);
        }
        return invocation.run(invocation.loadTree(tree(false), "built-in:ttl-sweep", Map.of()), false, yes);
    }

    Map<String, Object> tree(boolean dry) {
        if (expiryColumn != null && expiryExpression != null) {
            throw PgRunbookException.invalid("give --expiry-column or --expiry-expression, not both");
        }
        List<String> scopes = scopeColumns.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        Map<String, Object> filter = new LinkedHashMap<>(scope);
        putScope(filter, scopes, "tenant_id", "--tenant", tenant);
        putScope(filter, scopes, "install_id", "--install", install);
        putScope(filter, scopes, "namespace", "--namespace", namespace);
        Map<String, Object> with = new LinkedHashMap<>();
        with.put("table", table);
        if (expiryExpression != null) {
            with.put("expiry_expression", expiryExpression);
        } else {
            with.put("expiry_column", expiryColumn == null ? "expires_at" : expiryColumn);
        }
        if (!scopes.isEmpty()) {
            with.put("scope_columns", scopes);
        }
        if (!filter.isEmpty()) {
            with.put("scope", filter);
        }
        putIf(with, "sample", sample);
        putIf(with, "select_batch_size", selectBatchSize);
        putIf(with, "delete_batch_size", deleteBatchSize);
        putIf(with, "rate_limit", rateLimit);
        putIf(with, "max_run_time", maxRunTime);
        putIf(with, "pause", pause);
        putIf(with, "max_replica_lag", maxReplicaLag);
        putIf(with, "max_pending", maxPending);
        putIf(with, "strategy", strategy);
        if (force) {
            with.put("force", true);
        }
        if (dry) {
            with.put("dry_run", true);
        }
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("id", dry ? "ttl-sweep-dry-run" : "ttl-sweep");
        step.put("name", (dry ? "Expired rows pending in " : "Sweep expired rows of ") + table);
        step.put("type", "ttl.sweep");
        step.put("timeout", statementTimeout);
        step.put("lock_timeout", lockTimeout);
        step.put("with", with);
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("name", "ttl-sweep");
        tree.put("description", "TTL sweep of " + table);
        tree.put("steps", List.of(step));
        return tree;
    }

    private static void putScope(Map<String, Object> filter, List<String> scopes, String column, String option, String value) {
        if (value == null) {
            return;
        }
        if (!scopes.contains(column)) {
            throw PgRunbookException.invalid(option + " filters on scope column " + column + ", which is not in --scope-columns " + scopes
                    + "; use --scope COLUMN=VALUE for other columns");
        }
        filter.put(column, value);
    }

    private static void putIf(Map<String, Object> with, String key, Object value) {
        if (value != null) {
            with.put(key, value);
        }
    }
}
