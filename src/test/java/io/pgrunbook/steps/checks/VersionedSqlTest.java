package io.pgrunbook.steps.checks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The SQL each version-aware check chooses for PostgreSQL 12 to 17 (only 15 is installed to run it). */
class VersionedSqlTest {

    @Test
    void pgStatStatementsColumnsWereRenamedIn13() {
        assertThat(SlowQueriesCheck.sqlFor(12)).contains("mean_time").doesNotContain("exec_time");
        for (int v = 13; v <= 17; v++) {
            assertThat(SlowQueriesCheck.sqlFor(v)).contains("mean_exec_time", "total_exec_time").doesNotContain("s.mean_time");
        }
    }

    @Test
    void checkpointCountersMovedToPgStatCheckpointerIn17() {
        for (int v = 13; v <= 16; v++) {
            assertThat(CheckpointsCheck.sqlFor(v)).contains("pg_stat_bgwriter", "checkpoints_req").doesNotContain("pg_stat_checkpointer");
        }
        assertThat(CheckpointsCheck.sqlFor(17)).contains("pg_stat_checkpointer", "num_requested").doesNotContain("pg_stat_bgwriter");
    }

    @Test
    void reservedConnectionsCountFrom16() {
        assertThat(ConnectionsCheck.sqlFor(15)).doesNotContain("'reserved_connections'");
        assertThat(ConnectionsCheck.sqlFor(16)).contains("'reserved_connections'");
    }

    @Test
    void archiveLibraryFrom15AndWalStatusFrom13() {
        assertThat(WalArchivingCheck.sqlFor(14)).doesNotContain("archive_library')");
        assertThat(WalArchivingCheck.sqlFor(15)).contains("current_setting('archive_library')");
        assertThat(ReplicationSlotsCheck.sqlFor(12, false)).contains("NULL::text AS wal_status");
        assertThat(ReplicationSlotsCheck.sqlFor(13, false)).contains("wal_status AS wal_status").contains("pg_current_wal_lsn()");
        assertThat(ReplicationSlotsCheck.sqlFor(16, true)).contains("pg_last_wal_replay_lsn()").doesNotContain("pg_current_wal_lsn");
        assertThat(ReplicaLagCheck.sqlFor(true)).contains("pg_last_xact_replay_timestamp");
        assertThat(ReplicaLagCheck.sqlFor(false)).contains("pg_stat_replication");
    }

    @Test
    void settingValuesCompareAcrossUnits() {
        assertThat(SettingValues.satisfies("65536", "512MB", "8kB")).isTrue();
        assertThat(SettingValues.satisfies("750ms", "750ms", "ms")).isTrue();
        assertThat(SettingValues.satisfies("750", "0.75s", "ms")).isTrue();
        assertThat(SettingValues.satisfies("15s", "15000", "ms")).isTrue();
        assertThat(SettingValues.satisfies("on", "true", null)).isTrue();
        assertThat(SettingValues.satisfies("4096", java.util.Map.of("min", "8MB", "max", "16MB"), "kB")).isFalse();
        assertThat(SettingValues.satisfies("8192", java.util.Map.of("min", "8MB", "max", "16MB"), "kB")).isTrue();
    }
}
