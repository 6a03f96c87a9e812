package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** time since each table with changes was last vacuumed or analyzed (manual or auto) */
public final class MaintenanceAgeCheck extends Check {
    static final String SQL = """
            SELECT schemaname AS schema, relname AS table_name, n_live_tup, n_dead_tup, n_mod_since_analyze,
                   CASE WHEN :of = 'analyze' THEN greatest(last_analyze, last_autoanalyze) ELSE greatest(last_vacuum, last_autovacuum) END::text AS last_done,
                   round(extract(epoch FROM now() - coalesce(
                       CASE WHEN :of = 'analyze' THEN greatest(last_analyze, last_autoanalyze) ELSE greatest(last_vacuum, last_autovacuum) END,
                       (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()),
                       pg_postmaster_start_time()))::numeric, 0) AS since_s
            FROM pg_stat_user_tables
            WHERE n_live_tup + n_dead_tup >= :min_rows
              AND (n_dead_tup > 0 OR n_mod_since_analyze > 0)
            ORDER BY since_s DESC""";

    @Override
    protected String check() {
        return "maintenance_age";
    }

    @Override
    public String summary() {
        return "time since each table with changes was last vacuumed or analyzed (manual or auto)";
    }

    @Override
    public String recommendation() {
        return "Check that autovacuum is on and not held back (long transactions, autovacuum_max_workers busy on large tables); run VACUUM (ANALYZE) on the table and tune its autovacuum scale factors";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("of", ValueKind.STRING, "vacuum (default) or analyze"),
                ParamSpec.optional("min_rows", ValueKind.INTEGER, "only tables with at least this many rows (default 1000); a table never done counts from the statistics reset or server start"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("since_s", ValueKind.DURATION, "s", java.time.Duration.ofDays(1), java.time.Duration.ofDays(7));
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, binds("of", param(context.step(), "of", "vacuum"), "min_rows", param(context.step(), "min_rows", 1000L)));
    }
}
