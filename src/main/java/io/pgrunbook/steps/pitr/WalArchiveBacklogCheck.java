package io.pgrunbook.steps.pitr;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.steps.checks.Check;
import io.pgrunbook.steps.checks.Threshold;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * {@code check.wal_archive_backlog}: the WAL segments the server has finished but not yet archived
 * (their {@code .ready} files in pg_wal/archive_status). Each is data a point-in-time recovery cannot
 * reach yet: a growing backlog means archive_command fails or cannot keep up, and pg_wal fills.
 */
public final class WalArchiveBacklogCheck extends Check {
    static final String SQL = """
            SELECT count(*) AS ready_segments, min(name) AS oldest_waiting, min(modification)::text AS waiting_since
            FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'""";
    static final String ARCHIVE_MODE_SQL = "SELECT current_setting('archive_mode')";

    @Override
    protected String check() {
        return "wal_archive_backlog";
    }

    @Override
    public String summary() {
        return "WAL segments finished but not yet archived (.ready files): WAL a point-in-time recovery cannot reach yet";
    }

    @Override
    public String recommendation() {
        return "Segments are waiting for archive_command: read pg_stat_archiver (last_failed_wal) and the server log for its error, "
                + "or make it faster (parallel/asynchronous archiving, e.g. pgBackRest archive-async); until then the RPO grows and pg_wal fills";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of();
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("ready_segments", ValueKind.INTEGER, "segments", 4L, 32L);
    }

    @Override
    protected Optional<String> notApplicable(StepContext context) throws SQLException {
        String mode = String.valueOf(query(context, ARCHIVE_MODE_SQL, binds()).rows().get(0).get(0));
        return mode.equals("off") ? Optional.of("archive_mode is off: the server archives no WAL (see check.wal_archiving)") : Optional.empty();
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, binds());
    }
}
