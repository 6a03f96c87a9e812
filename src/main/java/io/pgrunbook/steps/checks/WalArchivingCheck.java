package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/**
 * WAL archiving is on and not failing (pg_stat_archiver): the WALArchiveFailure alert as a check.
 * Each condition is a row; the count of failing conditions is judged (critical from the first).
 */
public final class WalArchivingCheck extends Check {
    static final String SQL = """
            WITH a AS (SELECT * FROM pg_stat_archiver),
                 s AS (SELECT current_setting('archive_mode') AS archive_mode,
                              current_setting('archive_command') AS archive_command,
                              %s AS archive_library)
            SELECT 'archive_mode is on' AS condition, s.archive_mode AS observed, s.archive_mode IN ('on', 'always') AS ok FROM s
            UNION ALL
            SELECT 'an archive_command or archive_library is set',
                   coalesce(nullif(s.archive_command, ''), nullif(s.archive_library, ''), '(none)'),
                   s.archive_command NOT IN ('', '(disabled)') OR s.archive_library <> '' FROM s
            UNION ALL
            SELECT 'the last archive attempt did not fail',
                   'archived ' || a.archived_count || ' (last ' || coalesce(a.last_archived_wal || ' at ' || a.last_archived_time::text, 'never')
                     || '), failed ' || a.failed_count || coalesce(' (last ' || a.last_failed_wal || ' at ' || a.last_failed_time::text || ')', ''),
                   a.last_failed_time IS NULL OR (a.last_archived_time IS NOT NULL AND a.last_archived_time > a.last_failed_time) FROM a
            UNION ALL
            SELECT 'a segment was archived within ' || :max_age_text,
                   coalesce(date_trunc('second', now() - a.last_archived_time)::text || ' ago', 'never'),
                   :max_age_s <= 0 OR a.last_archived_time > now() - make_interval(secs => :max_age_s) FROM a""";

    /** archive_library arrived in PostgreSQL 15; before it only archive_command exists. */
    static String sqlFor(int major) {
        return SQL.formatted(major >= 15 ? "current_setting('archive_library')" : "''::text");
    }

    @Override
    protected String check() {
        return "wal_archiving";
    }

    @Override
    public String summary() {
        return "WAL archiving is on, has a command, is not failing, and archived recently (pg_stat_archiver)";
    }

    @Override
    public String recommendation() {
        return "Read the server log for the archive_command's error (disk full, permissions, unreachable storage) and fix it: "
                + "until it succeeds WAL piles up in pg_wal and point-in-time recovery is impossible past the last archived segment";
    }

    /** When archiving is simply off (or has nothing to run), the advice is to set it up, not to read the command's errors. */
    static final String OFF_RECOMMENDATION = "WAL archiving is not set up: without it there is no point-in-time recovery. Set archive_mode = on "
            + "(a restart) and archive_command (or archive_library) to copy each segment to storage that outlives the server, "
            + "e.g. pgbackrest --stanza=NAME archive-push %p, then check pg_stat_archiver after pg_switch_wal()";

    @Override
    protected String recommendation(ResultTable measured) {
        boolean off = measured.rows().stream().anyMatch(r -> Boolean.FALSE.equals(r.get(2))
                && (String.valueOf(r.get(0)).startsWith("archive_mode") || String.valueOf(r.get(0)).startsWith("an archive_command")));
        return off ? OFF_RECOMMENDATION : recommendation();
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("max_age", ValueKind.DURATION,
                "also require a segment archived within this long (e.g. 2 x archive_timeout); default: not checked"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.count(null, 1L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        java.time.Duration maxAge = param(context.step(), "max_age", java.time.Duration.ZERO);
        return query(context, sqlFor(context.server().major()), binds("max_age_s", maxAge.toMillis() / 1000.0,
                "max_age_text", io.pgrunbook.runbook.load.Durations.show(maxAge)));
    }
}
