package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** Replication slots by the WAL they hold back; an inactive slot counts as holding it for nobody. */
public final class ReplicationSlotsCheck extends Check {
    /** wal_status and safe_wal_size arrived in PostgreSQL 13; a standby measures against its replay position. */
    static final String SQL = """
            SELECT slot_name, slot_type, database, active, %s AS wal_status,
                   pg_wal_lsn_diff(%s, restart_lsn)::bigint AS retained_bytes,
                   pg_size_pretty(pg_wal_lsn_diff(%s, restart_lsn)) AS retained
            FROM pg_replication_slots
            WHERE restart_lsn IS NOT NULL AND (NOT active OR NOT :inactive_only)
            ORDER BY retained_bytes DESC""";

    static String sqlFor(int major, boolean inRecovery) {
        String lsn = inRecovery ? "pg_last_wal_replay_lsn()" : "pg_current_wal_lsn()";
        return SQL.formatted(major >= 13 ? "wal_status" : "NULL::text", lsn, lsn);
    }

    @Override
    protected String check() {
        return "replication_slots";
    }

    @Override
    public String summary() {
        return "WAL retained by replication slots (by default only inactive ones), against size thresholds";
    }

    @Override
    public String recommendation() {
        return "A slot nobody consumes keeps every WAL segment since its restart_lsn until the disk fills: reconnect its consumer "
                + "or drop it with pg_drop_replication_slot(slot_name); set max_slot_wal_keep_size as a safety net";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("inactive_only", ValueKind.BOOLEAN, "judge only inactive slots (default true)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("retained_bytes", ValueKind.STRING, "bytes", "1GB", "10GB");
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, sqlFor(context.server().major(), context.server().inRecovery()),
                binds("inactive_only", param(context.step(), "inactive_only", true)));
    }
}
