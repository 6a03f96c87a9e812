package io.pgrunbook.steps.ttl;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code type: ttl.sweep}: deletes expired rows in small batches that never hold up the
 * application (see {@link TtlSweeper}), then reports the backlog left; with {@code dry_run: true}
 * only counts and explains, in a READ ONLY transaction.
 */
public final class TtlSweepStep implements StepType {
    static final String TABLE = "table";
    static final String EXPIRY_COLUMN = "expiry_column";
    static final String EXPIRY_EXPRESSION = "expiry_expression";
    static final String SCOPE_COLUMNS = "scope_columns";
    static final String SCOPE = "scope";
    static final String SAMPLE = "sample";
    static final String SELECT_BATCH_SIZE = "select_batch_size";
    static final String DELETE_BATCH_SIZE = "delete_batch_size";
    static final String RATE_LIMIT = "rate_limit";
    static final String MAX_RUN_TIME = "max_run_time";
    static final String PAUSE = "pause";
    static final String MAX_REPLICA_LAG = "max_replica_lag";
    static final String REPLICA_LAG_PAUSE = "replica_lag_pause";
    static final String FORCE = "force";
    static final String DRY_RUN = "dry_run";
    static final String MAX_PENDING = "max_pending";
    static final String STRATEGY = "strategy";

    /** Test seam: the hooks of the next sweeps this class runs (null: none). */
    static volatile TtlSweeper.Hooks testHooks;

    @Override
    public String name() {
        return "ttl.sweep";
    }

    @Override
    public String summary() {
        return "delete expired rows in short batches (SKIP LOCKED, re-checked at delete time) and report the backlog";
    }

    @Override
    public boolean writes() {
        return true;
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
        return List.of(
                ParamSpec.required(TABLE, ValueKind.STRING, "the table to sweep, optionally schema-qualified"),
                ParamSpec.optional(EXPIRY_COLUMN, ValueKind.STRING, "the timestamptz/timestamp/date column after which a row is expired"),
                ParamSpec.optional(EXPIRY_EXPRESSION, ValueKind.STRING, "instead of expiry_column: an SQL expression over the row, e.g. created_at + interval '30 days'"),
                ParamSpec.optional(SCOPE_COLUMNS, ValueKind.STRING_LIST, "columns that split the table into scopes (tenant, install, namespace); "
                        + "each batch stays in one scope, and on Citus they must include the distribution column"),
                ParamSpec.optional(SCOPE, ValueKind.MAP, "sweep only scopes with these values, e.g. {tenant_id: ..., namespace: ...}"),
                ParamSpec.optional(SAMPLE, ValueKind.INTEGER, "sweep this many random scopes that have expired rows (0: all)"),
                ParamSpec.optional(SELECT_BATCH_SIZE, ValueKind.INTEGER, "row keys read per select batch (default " + TtlConfig.DEFAULT_SELECT_BATCH + ")"),
                ParamSpec.optional(DELETE_BATCH_SIZE, ValueKind.INTEGER, "rows per delete batch, each its own transaction (default " + TtlConfig.DEFAULT_DELETE_BATCH + ")"),
                ParamSpec.optional(RATE_LIMIT, ValueKind.NUMBER, "at most this many rows deleted per second (default: no limit)"),
                ParamSpec.optional(MAX_RUN_TIME, ValueKind.DURATION, "start no batch after this long; what was deleted stays deleted"),
                ParamSpec.optional(PAUSE, ValueKind.DURATION, "pause between delete batches (default none)"),
                ParamSpec.optional(MAX_REPLICA_LAG, ValueKind.DURATION, "pause while a replica's replay lag (pg_stat_replication) exceeds this"),
                ParamSpec.optional(REPLICA_LAG_PAUSE, ValueKind.DURATION, "how long to pause when replicas lag (default 1s)"),
                ParamSpec.optional(FORCE, ValueKind.BOOLEAN, "sweep even when EXPLAIN shows no index on the expiry"),
                ParamSpec.optional(DRY_RUN, ValueKind.BOOLEAN, "count pending rows per scope and show the plans; delete nothing (read only)"),
                ParamSpec.optional(MAX_PENDING, ValueKind.INTEGER, "fail when more expired rows than this remain afterwards (the backlog alert)"),
                ParamSpec.optional(STRATEGY, ValueKind.STRING, "how batches find expired rows: auto (default), index (through the expiry index, "
                        + "scope by scope), blocks (ranges of heap blocks in physical order; plain tables, PostgreSQL 14+)"));
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        Map<String, Object> w = step.with();
        boolean column = w.get(EXPIRY_COLUMN) != null;
        boolean expression = w.get(EXPIRY_EXPRESSION) != null;
        if (column == expression) {
            problems.add(step.location(), "step '" + step.id() + "': ttl.sweep needs exactly one of expiry_column or expiry_expression");
        }
        for (String key : List.of(SELECT_BATCH_SIZE, DELETE_BATCH_SIZE)) {
            if (w.get(key) instanceof Number n && n.longValue() <= 0) {
                problems.add(step.location(), "step '" + step.id() + "': " + key + " must be at least 1, got " + n);
            }
        }
        for (String key : List.of(SAMPLE, MAX_PENDING)) {
            if (w.get(key) instanceof Number n && n.longValue() < 0) {
                problems.add(step.location(), "step '" + step.id() + "': " + key + " must not be negative, got " + n);
            }
        }
        if (w.get(STRATEGY) != null && !TtlConfig.Strategy.keywords().contains(String.valueOf(w.get(STRATEGY)))) {
            problems.add(step.location(), "step '" + step.id() + "': strategy must be one of " + TtlConfig.Strategy.keywords()
                    + ", got '" + w.get(STRATEGY) + "'" + io.pgrunbook.error.Suggest.hint(String.valueOf(w.get(STRATEGY)), TtlConfig.Strategy.keywords()));
        }
        if (w.get(RATE_LIMIT) instanceof Number n && n.doubleValue() < 0) {
            problems.add(step.location(), "step '" + step.id() + "': rate_limit must not be negative, got " + n);
        }
        if (w.get(SAMPLE) instanceof Number n && n.longValue() > 0 && !(w.get(SCOPE_COLUMNS) instanceof List<?> l && !l.isEmpty())) {
            problems.add(step.location(), "step '" + step.id() + "': sample picks random scopes; give scope_columns");
        }
        if (w.get(SCOPE) instanceof Map<?, ?> m && w.get(SCOPE_COLUMNS) instanceof List<?> l) {
            for (Object k : m.keySet()) {
                if (!l.contains(k)) {
                    problems.add(step.location(), "step '" + step.id() + "': scope names '" + k + "', which is not in scope_columns " + l);
                }
            }
        }
    }

    @Override
    public List<String> describe(Step step) {
        TtlConfig c = TtlConfig.from(step.with());
        List<String> lines = new ArrayList<>();
        lines.add((c.dryRun() ? "count (dry run, read only)" : "delete") + " rows of " + c.table() + " whose " + c.expiryDescription()
                + " is past, re-checked against the server clock at delete time");
        lines.add("scopes: " + (c.scopeColumns().isEmpty() ? "the whole table" : String.join(", ", c.scopeColumns()))
                + (c.scopeFilter().isEmpty() ? "" : " where " + c.scopeFilter().keySet() + " fixed")
                + (c.sample() > 0 ? "; a random sample of " + c.sample() : ""));
        lines.add("select batches of " + c.selectBatchSize() + " keys, delete batches of " + c.deleteBatchSize()
                + " rows, each its own transaction with FOR UPDATE SKIP LOCKED; lock_timeout " + Durations.show(step.lockTimeout())
                + ", statement_timeout " + Durations.show(step.timeout()));
        lines.add("strategy: " + c.strategy().name().toLowerCase(java.util.Locale.ROOT)
                + (c.strategy() == TtlConfig.Strategy.AUTO ? " (heap block ranges when at least "
                        + Math.round(TtlConfig.BLOCKS_FROM_SHARE * 100) + "% of a plain table has expired, else through the expiry index)" : ""));
        lines.add("rate limit: " + (c.rateLimit() > 0 ? c.rateLimit() + " rows/s" : "none") + "; pause between batches: " + Durations.show(c.pause())
                + "; max run time: " + (c.maxRunTime().isZero() ? "none" : Durations.show(c.maxRunTime()))
                + "; replica lag bound: " + (c.maxReplicaLag().isZero() ? "none" : Durations.show(c.maxReplicaLag())));
        lines.add("refuses unless EXPLAIN shows an index on the expiry" + (c.force() ? " (force: true, goes ahead anyway)" : "")
                + "; holds advisory lock pgrunbook.ttl.sweep/<table> while it deletes");
        if (c.maxPending() >= 0) {
            lines.add("fails when more than " + c.maxPending() + " expired rows remain (ttl_expired_rows_pending)");
        }
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        TtlConfig config = TtlConfig.from(context.step().with());
        TtlSweeper.Hooks hooks = testHooks == null ? TtlSweeper.Hooks.NONE : testHooks;
        TtlSweeper sweeper = new TtlSweeper(config, context::isCancelled, hooks);
        SweepResult result;
        try {
            result = config.dryRun() ? context.inTransaction(true, sweeper::dryRun) : context.withoutTransaction(sweeper::sweep);
        } catch (TtlConfigException e) {
            return StepOutcome.verdict(Status.ERROR, e.getMessage(), Evidence.none());
        }
        return SweepReport.outcome(config, result);
    }
}
