package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** statements from pg_stat_statements whose mean execution time is over the thresholds */
public final class SlowQueriesCheck extends Check {
    /** PostgreSQL 13 renamed total_time/mean_time/max_time to *_exec_time (planning got its own columns). */
    static final String SQL_13 = """
            SELECT s.calls, round(s.mean_exec_time::numeric, 2) AS mean_ms, round(s.max_exec_time::numeric, 2) AS max_ms,
                   round(s.total_exec_time::numeric, 2) AS total_ms, s.rows, s.shared_blks_read, left(s.query, 200) AS query
            FROM pg_stat_statements s
            WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND s.calls >= :min_calls AND s.mean_exec_time >= :min_ms
            ORDER BY s.mean_exec_time DESC
            LIMIT 50""";
    static final String SQL_12 = """
            SELECT s.calls, round(s.mean_time::numeric, 2) AS mean_ms, round(s.max_time::numeric, 2) AS max_ms,
                   round(s.total_time::numeric, 2) AS total_ms, s.rows, s.shared_blks_read, left(s.query, 200) AS query
            FROM pg_stat_statements s
            WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND s.calls >= :min_calls AND s.mean_time >= :min_ms
            ORDER BY s.mean_time DESC
            LIMIT 50""";

    static String sqlFor(int major) {
        return major >= 13 ? SQL_13 : SQL_12;
    }

    @Override
    protected String check() {
        return "slow_queries";
    }

    @Override
    public String summary() {
        return "statements from pg_stat_statements whose mean execution time is over the thresholds";
    }

    @Override
    public String recommendation() {
        return "Run EXPLAIN (ANALYZE, BUFFERS) on each with representative parameters, look for sequential scans on large tables and sorts spilling to disk, and add the missing index or rewrite the query";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("min_calls", ValueKind.INTEGER, "only statements called at least this often (default 100)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("mean_ms", ValueKind.NUMBER, "ms", 100L, 1000L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        Double w = warning(context.step());
        Double c = critical(context.step());
        return query(context, sqlFor(context.server().major()), binds("min_calls", param(context.step(), "min_calls", 100L),
                "min_ms", w != null ? w : c != null ? c : 0));
    }

    @Override
    protected Optional<String> notApplicable(StepContext context) throws SQLException {
        return hasExtension(context, "pg_stat_statements") ? Optional.empty()
                : Optional.of("pg_stat_statements is not installed in database " + context.server().database()
                        + " (add it to shared_preload_libraries, restart, then CREATE EXTENSION pg_stat_statements)");
    }
}
