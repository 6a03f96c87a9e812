package io.pgrunbook.steps.ttl;

import io.pgrunbook.runbook.load.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one sweep does, read from a step's {@code with:}.
 *
 * @param scopeFilter fixed values for some scope columns (one tenant, one namespace)
 * @param sample      sweep this many random scopes instead of all (0: all)
 * @param rateLimit   rows deleted per second at most (0: unlimited)
 * @param maxRunTime  stop starting batches after this long (zero: no limit)
 * @param maxReplicaLag pause while a replica's replay lag exceeds this (zero: never)
 * @param maxPending  fail when more expired rows than this remain afterwards (-1: no assertion)
 * @param strategy    how batches find their rows: {@link Strategy}
 */
public record TtlConfig(
        String table,
        String expiryColumn,
        String expiryExpression,
        List<String> scopeColumns,
        Map<String, String> scopeFilter,
        int sample,
        int selectBatchSize,
        int deleteBatchSize,
        double rateLimit,
        Duration maxRunTime,
        Duration pause,
        Duration maxReplicaLag,
        Duration replicaLagPause,
        boolean force,
        boolean dryRun,
        long maxPending,
        Strategy strategy) {

    /** How batches find expired rows. */
    public enum Strategy {
        /** Block ranges when the backlog is a large share of a plain table, the expiry index otherwise. */
        AUTO,
        /** Keyset batches through the expiry index, scope by scope: cheap when few rows have expired. */
        INDEX,
        /** Ranges of heap blocks in physical order (TID range scans, PostgreSQL 14+): cheap when many have. */
        BLOCKS;

        static Strategy parse(Object value) {
            return value == null ? AUTO : valueOf(String.valueOf(value).toUpperCase(java.util.Locale.ROOT));
        }

        public static List<String> keywords() {
            return java.util.Arrays.stream(values()).map(v -> v.name().toLowerCase(java.util.Locale.ROOT)).toList();
        }
    }

    /** AUTO sweeps by block ranges once at least this share of the table's rows has expired. */
    static final double BLOCKS_FROM_SHARE = 0.05;

    static final int DEFAULT_SELECT_BATCH = 5000;
    static final int DEFAULT_DELETE_BATCH = 5000;

    static TtlConfig from(Map<String, Object> with) {
        Map<String, String> filter = new LinkedHashMap<>();
        if (with.get(TtlSweepStep.SCOPE) instanceof Map<?, ?> m) {
            m.forEach((k, v) -> filter.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        }
        @SuppressWarnings("unchecked")
        List<String> scopes = with.get(TtlSweepStep.SCOPE_COLUMNS) instanceof List<?> l
                ? l.stream().map(String::valueOf).toList() : List.of();
        return new TtlConfig(
                (String) with.get(TtlSweepStep.TABLE),
                (String) with.get(TtlSweepStep.EXPIRY_COLUMN),
                (String) with.get(TtlSweepStep.EXPIRY_EXPRESSION),
                scopes,
                filter,
                (int) number(with, TtlSweepStep.SAMPLE, 0),
                (int) number(with, TtlSweepStep.SELECT_BATCH_SIZE, DEFAULT_SELECT_BATCH),
                (int) number(with, TtlSweepStep.DELETE_BATCH_SIZE, DEFAULT_DELETE_BATCH),
                ((Number) with.getOrDefault(TtlSweepStep.RATE_LIMIT, 0)).doubleValue(),
                duration(with, TtlSweepStep.MAX_RUN_TIME),
                duration(with, TtlSweepStep.PAUSE),
                duration(with, TtlSweepStep.MAX_REPLICA_LAG),
                with.containsKey(TtlSweepStep.REPLICA_LAG_PAUSE) ? duration(with, TtlSweepStep.REPLICA_LAG_PAUSE) : Duration.ofSeconds(1),
                Boolean.TRUE.equals(with.get(TtlSweepStep.FORCE)),
                Boolean.TRUE.equals(with.get(TtlSweepStep.DRY_RUN)),
                number(with, TtlSweepStep.MAX_PENDING, -1),
                Strategy.parse(with.get(TtlSweepStep.STRATEGY)));
    }

    private static long number(Map<String, Object> with, String key, long fallback) {
        Object v = with.get(key);
        return v instanceof Number n ? n.longValue() : fallback;
    }

    static Duration duration(Map<String, Object> with, String key) {
        Object v = with.get(key);
        if (v instanceof Duration d) {
            return d;
        }
        if (v instanceof String s) {
            return Durations.parse(s).orElseThrow(() -> new IllegalArgumentException(key + ": not a duration: " + s));
        }
        return Duration.ZERO;
    }

    /**
     * The SQL the sweep orders and bounds rows by: the quoted column, the column of an expression
     * read as "column + interval" ({@link ExpiryExpression}), or else the author's expression.
     */
    String expirySql() {
        if (expiryColumn != null) {
            return TtlTable.quote(expiryColumn);
        }
        return rewrite().map(r -> TtlTable.quote(r.column())).orElse("(" + expiryExpression + ")");
    }

    /** The expression read as "column + interval", if it is one. */
    java.util.Optional<ExpiryExpression.Rewrite> rewrite() {
        return expiryColumn != null ? java.util.Optional.empty() : ExpiryExpression.rewrite(expiryExpression);
    }

    /** The column an index on the expiry has, or null when only an index on the expression would do. */
    String indexColumn() {
        return expiryColumn != null ? expiryColumn : rewrite().map(ExpiryExpression.Rewrite::column).orElse(null);
    }

    /** "Expired before {@code clock}" as an index can serve it: {@code column < clock - interval} for a rewritten expression. */
    String expiredBefore(String clock) {
        return expirySql() + " < " + rewrite().map(r -> "(" + clock + ") - (" + r.offset() + ")").orElse(clock);
    }

    /**
     * The delete's re-check at delete time: the indexable bound, and for a rewritten expression the
     * author's expression itself, so that a row is deleted only when that says it has expired.
     */
    String stillExpired(String clock) {
        return expiredBefore(clock) + rewrite().map(r -> " AND (" + expiryExpression + ") < " + clock).orElse("");
    }

    /** The expiry of {@code value}, an expression over {@link #expirySql()} such as min(...): shifted by the interval when rewritten. */
    String expiryOf(String value) {
        return rewrite().map(r -> "(" + value + " + (" + r.offset() + "))").orElse(value);
    }

    String expiryDescription() {
        return expiryColumn != null ? "column " + expiryColumn : "expression " + expiryExpression;
    }
}
