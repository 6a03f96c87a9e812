package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Replication lag: on a primary, each standby's replay_lag from pg_stat_replication; on a standby,
 * how old the last replayed transaction is. Standbys missing from a primary are counted with min_standbys.
 */
public final class ReplicaLagCheck extends Check {
    static final String PRIMARY_SQL = """
            SELECT application_name, client_addr::text AS client_addr, state, sync_state,
                   round(extract(epoch FROM coalesce(replay_lag, '0'::interval))::numeric, 3) AS lag_s,
                   pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)) AS replay_behind
            FROM pg_stat_replication
            UNION ALL
            SELECT 'missing standby ' || g, NULL, 'absent', NULL, 999999999::numeric, NULL
            FROM generate_series((SELECT count(*) FROM pg_stat_replication) + 1, :min_standbys) AS g
            ORDER BY lag_s DESC""";
    static final String STANDBY_SQL = """
            SELECT 'this standby' AS application_name, NULL::text AS client_addr, 'replaying' AS state, NULL AS sync_state,
                   CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                        ELSE round(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::numeric, 3) END AS lag_s,
                   pg_size_pretty(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())) AS replay_behind""";

    static String sqlFor(boolean inRecovery) {
        return inRecovery ? STANDBY_SQL : PRIMARY_SQL;
    }

    @Override
    protected String check() {
        return "replica_lag";
    }

    @Override
    public String summary() {
        return "replication lag of each standby (on a primary) or of this standby, in seconds";
    }

    @Override
    public String recommendation() {
        return "Look at the standby's I/O and CPU, long queries on it that delay replay (max_standby_streaming_delay), and the network; "
                + "a missing standby must be restarted or re-cloned before the primary's WAL it needs is gone";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("min_standbys", ValueKind.INTEGER,
                "on a primary, how many standbys must be connected; each missing one counts as infinite lag (default 0)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("lag_s", ValueKind.DURATION, "s", Duration.ofSeconds(30), Duration.ofMinutes(5));
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        boolean standby = context.server().inRecovery();
        return query(context, sqlFor(standby), standby ? java.util.Map.of() : binds("min_standbys", param(context.step(), "min_standbys", 0L)));
    }
}
