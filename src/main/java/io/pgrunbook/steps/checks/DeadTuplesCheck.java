package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** tables whose dead tuples exceed a share of their live tuples, with when they were last (auto)vacuumed and analyzed */
public final class DeadTuplesCheck extends Check {
    static final String SQL = """
            SELECT schemaname AS schema, relname AS table_name, n_live_tup, n_dead_tup,
                   round(n_dead_tup::numeric / greatest(n_live_tup, 1), 3) AS dead_ratio,
                   greatest(last_vacuum, last_autovacuum)::text AS last_vacuumed,
                   greatest(last_analyze, last_autoanalyze)::text AS last_analyzed,
                   autovacuum_count
            FROM pg_stat_user_tables
            WHERE n_dead_tup >= :min_dead
            ORDER BY n_dead_tup DESC""";

    @Override
    protected String check() {
        return "dead_tuples";
    }

    @Override
    public String summary() {
        return "tables whose dead tuples exceed a share of their live tuples, with when they were last (auto)vacuumed and analyzed";
    }

    @Override
    public String recommendation() {
        return "Autovacuum is not keeping up: look for what holds back cleanup (long or idle-in-transaction sessions, stale replication slots, prepared transactions), run VACUUM (VERBOSE, ANALYZE) on the table and lower its autovacuum_vacuum_scale_factor (e.g. 0.05)";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("min_dead", ValueKind.INTEGER, "only tables with at least this many dead tuples (default 10000, as the operations runbook)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("dead_ratio", ValueKind.NUMBER, "", new java.math.BigDecimal("0.2"), new java.math.BigDecimal("1.0"));
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, binds("min_dead", param(context.step(), "min_dead", 10_000L)));
    }
}
