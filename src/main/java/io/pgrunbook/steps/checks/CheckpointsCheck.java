package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** share of checkpoints requested (WAL filled max_wal_size) rather than timed, from pg_stat_checkpointer (17+) or pg_stat_bgwriter */
public final class CheckpointsCheck extends Check {
    /** PostgreSQL 17 moved the checkpoint counters to pg_stat_checkpointer and renamed them. */
    static final String SQL_17 = """
            SELECT num_timed AS timed, num_requested AS requested,
                   CASE WHEN num_timed + num_requested >= :min_checkpoints
                        THEN round(100.0 * num_requested / (num_timed + num_requested), 2) END AS requested_pct,
                   stats_reset::text AS stats_reset
            FROM pg_stat_checkpointer""";
    static final String SQL_13 = """
            SELECT checkpoints_timed AS timed, checkpoints_req AS requested,
                   CASE WHEN checkpoints_timed + checkpoints_req >= :min_checkpoints
                        THEN round(100.0 * checkpoints_req / (checkpoints_timed + checkpoints_req), 2) END AS requested_pct,
                   stats_reset::text AS stats_reset
            FROM pg_stat_bgwriter""";

    static String sqlFor(int major) {
        return major >= 17 ? SQL_17 : SQL_13;
    }

    @Override
    protected String check() {
        return "checkpoints";
    }

    @Override
    public String summary() {
        return "share of checkpoints requested (WAL filled max_wal_size) rather than timed, from pg_stat_checkpointer (17+) or pg_stat_bgwriter";
    }

    @Override
    public String recommendation() {
        return "Checkpoints forced by WAL volume write more and spike I/O: raise max_wal_size so that checkpoints happen on checkpoint_timeout, and set checkpoint_completion_target = 0.9";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("min_checkpoints", ValueKind.INTEGER, "judge only after this many checkpoints since the statistics reset (default 10)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("requested_pct", ValueKind.NUMBER, "%", 20L, 50L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, sqlFor(context.server().major()), binds("min_checkpoints", param(context.step(), "min_checkpoints", 10L)));
    }

}
