package io.pgrunbook.steps.ttl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a sweep finds before it deletes anything, and the backlog counts before and after: the table,
 * the expired rows per scope, the strategy (the expiry index or heap block ranges) and the plans.
 * Read only.
 */
final class SweepSurvey {
    private static final Logger LOG = LoggerFactory.getLogger(SweepSurvey.class);

    private final TtlConfig config;

    SweepSurvey(TtlConfig config) {
        this.config = config;
    }

    /** The read-only part: the table, the pending rows per scope, the plans. Nothing is locked or deleted. */
    record Survey(TtlTable table, TtlSql sql, List<SweepResult.ScopeResult> scopes, PlanCheck.Result plan, BlockRanges blocks,
            List<String> indexAdvice) {
        long pending() {
            return scopes.stream().mapToLong(SweepResult.ScopeResult::pendingBefore).sum();
        }

        /** Why the sweep must not delete, or null when it may. */
        String refusal(TtlConfig config) {
            if (plan.fansOut()) {
                return "a batch on " + table.qualifiedName() + " would fan out to several Citus shards; add the distribution column to scope_columns";
            }
            if (plan.expiryIndex() == null && !config.force()) {
                return "the sweep of " + table.qualifiedName() + " would not use an index on the expiry " + config.expiryDescription()
                        + " (every batch would scan the table); create it: " + IndexAdvice.sentence(indexAdvice, config)
                        + "; or set force: true (--force)";
            }
            return null;
        }
    }

    Survey survey(Connection c) throws SQLException {
        long t0 = System.nanoTime();
        TtlTable table = TtlTable.inspect(c, config);
        TtlSql sql = new TtlSql(table, config);
        long t1 = System.nanoTime();
        List<SweepResult.ScopeResult> scopes = pending(c, sql, config.sample() > 0);
        long t2 = System.nanoTime();
        Choice choice = choose(c, table, scopes.stream().mapToLong(SweepResult.ScopeResult::pendingBefore).sum());
        LOG.debug("ttl.sweep: table {} ms, backlog count {} ms, strategy {} ms", (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
        BlockRanges blocks = choice.blocks() ? new BlockRanges(table, config) : null;
        PlanCheck check = new PlanCheck(c, table, config, sql);
        PlanCheck.Result plan = scopes.isEmpty() ? new PlanCheck.Result(List.of("-- nothing expired: no batch to plan"), "", false)
                : check.check(sql.global ? List.copyOf(config.scopeFilter().values()) : scopes.get(0).values());
        List<String> lines = new ArrayList<>(plan.lines());
        lines.add("-- strategy: " + choice.why());
        if (blocks != null) {
            lines.addAll(check.blocks(blocks));
        }
        if (sql.perHeap) {
            lines.add("-- rows live in several heaps (partitions or inheritance children): each delete batch runs per heap, "
                    + "DELETE FROM ONLY <partition> with that partition's ctids, in the batch's one transaction");
        }
        List<String> advice = plan.expiryIndex() == null ? IndexAdvice.statements(c, table, config) : List.of();
        if (!advice.isEmpty()) {
            lines.add("-- the index the sweep needs:");
            advice.forEach(a -> lines.add(a + ";"));
        }
        plan = new PlanCheck.Result(lines, plan.expiryIndex(), plan.fansOut());
        LOG.debug("ttl.sweep plan:\n{}", String.join("\n", plan.lines()));
        return new Survey(table, sql, scopes, plan, blocks, advice);
    }

    /** Whether batches walk the heap by block ranges (else the expiry index), and why, for the plan. */
    record Choice(boolean blocks, String why) {}

    /**
     * Block ranges read every row of the table once, the index a random heap page per expired row,
     * so ranges win once expired rows are a few percent of the table.
     */
    private Choice choose(Connection c, TtlTable table, long pending) throws SQLException {
        if (config.strategy() == TtlConfig.Strategy.INDEX) {
            return new Choice(false, "index (strategy: index)");
        }
        String unavailable = table.distributionColumn() != null ? "a Citus distributed table is swept per distribution key"
                : config.sample() > 0 ? "a sample sweeps chosen scopes only"
                : !config.scopeFilter().isEmpty() ? "one scope is swept through the index"
                : c.getMetaData().getDatabaseMajorVersion() < 14 ? "TID range scans need PostgreSQL 14 or later"
                : null;
        BlockRanges.Shape shape = unavailable == null ? BlockRanges.shape(c, table) : null;
        if (shape != null && shape.partitioned()) {
            unavailable = "a partitioned table is swept through its index (so is one with inheritance children; sweep each partition for block ranges)";
        }
        if (unavailable != null) {
            if (config.strategy() == TtlConfig.Strategy.BLOCKS) {
                throw new TtlConfigException("strategy blocks is not possible here: " + unavailable + "; use strategy auto or index");
            }
            return new Choice(false, "index (" + unavailable + ")");
        }
        long rows = Math.max(shape.estimatedRows(), pending);
        String share = rows == 0 ? "no rows" : String.format(java.util.Locale.ROOT, "%.1f%% of ~%d rows expired", 100.0 * pending / rows, rows);
        long percent = Math.round(TtlConfig.BLOCKS_FROM_SHARE * 100);
        if (config.strategy() == TtlConfig.Strategy.BLOCKS) {
            return new Choice(true, "blocks (strategy: blocks; " + share + ")");
        }
        return pending > 0 && pending >= TtlConfig.BLOCKS_FROM_SHARE * rows
                ? new Choice(true, "blocks (" + share + ", at least " + percent + "%: one pass over the heap in block ranges)")
                : new Choice(false, "index (" + share + ", under " + percent + "%: keyset batches through the expiry index)");
    }

    List<SweepResult.ScopeResult> pending(Connection c, TtlSql sql, boolean sample) throws SQLException {
        return pending(c, sql, sample, null, null);
    }

    /**
     * @param since when not null, also count per scope the rows expired before this server time
     *              that are still there, into {@code stillExpired}
     */
    List<SweepResult.ScopeResult> pending(Connection c, TtlSql sql, boolean sample, String since, Map<List<String>, Long> stillExpired)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(since != null ? sql.pendingSince : sample ? sql.pendingSample : sql.pending)) {
            int i = 1;
            if (since != null) {
                ps.setString(i++, since);
            }
            for (String v : config.scopeFilter().values()) {
                ps.setString(i++, v);
            }
            if (sample && !config.scopeColumns().isEmpty()) {
                ps.setInt(i, config.sample());
            }
            List<SweepResult.ScopeResult> out = new ArrayList<>();
            int scopes = config.scopeColumns().size();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> values = new ArrayList<>(scopes);
                    for (int k = 1; k <= scopes; k++) {
                        values.add(rs.getString(k));
                    }
                    out.add(new SweepResult.ScopeResult(List.copyOf(values), rs.getLong(scopes + 1), rs.getDouble(scopes + 2), 0, 0, 0, -1));
                    if (since != null) {
                        stillExpired.put(List.copyOf(values), rs.getLong(scopes + 3));
                    }
                }
            }
            return out;
        }
    }

}
