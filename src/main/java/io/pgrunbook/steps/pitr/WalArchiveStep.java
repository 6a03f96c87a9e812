package io.pgrunbook.steps.pitr;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Metric;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.runbook.load.Durations;
import io.pgrunbook.steps.backup.BackupToolkit;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code type: pitr.archive}: a WAL archive (a directory, or a pgBackRest stanza's repository) can
 * recover from the oldest base backup to its newest segment: every segment present and sound, the
 * timeline history files consistent; the newest segment no older than {@code max_rpo}; and, on the
 * target, {@code archive_command} not failing (pg_stat_archiver). Read-only.
 */
public final class WalArchiveStep extends PitrStepBase {
    static final String ARCHIVER_SQL = "SELECT archived_count, failed_count, last_failed_wal, last_failed_time::text,"
            + " last_archived_time::text, coalesce(last_failed_time > last_archived_time OR (last_failed_time IS NOT NULL AND last_archived_time IS NULL), false)"
            + " FROM pg_stat_archiver";

    @Override
    public String name() {
        return "pitr.archive";
    }

    @Override
    public String summary() {
        return "WAL archive continuity from the oldest base backup, timeline histories, newest segment age (RPO), archive_command failures";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(PitrParams.ARCHIVE, PitrParams.STANZA, PitrParams.CONFIG, PitrParams.PROGRAM,
                ParamSpec.optional("backups", ValueKind.STRING, "directory of physical backups: continuity is checked from the oldest one's start "
                        + "(default: the oldest .backup file in the archive)"),
                PitrParams.MAX_RPO,
                ParamSpec.optional("archiver", ValueKind.BOOLEAN, "also read pg_stat_archiver on the target for archive_command failures (default true)"),
                PitrParams.SEGMENT_SIZE);
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        Map<String, Object> w = step.with();
        if ((w.get("archive") == null) == (w.get("pgbackrest_stanza") == null)) {
            problems.add(step.location(), "pitr.archive: give exactly one of archive (a directory) or pgbackrest_stanza");
        }
    }

    @Override
    public List<String> describe(Step step) {
        Map<String, Object> w = step.with();
        List<String> lines = new ArrayList<>();
        lines.add("-- list " + (w.get("archive") != null ? "the directory " + w.get("archive") : "pgbackrest repo-ls archive/" + w.get("pgbackrest_stanza"))
                + ": segments, timeline history files, backup history files");
        lines.add("-- every segment from the oldest base backup's start to the newest, first page headers, history files; newest segment age <= "
                + Durations.show(PitrParams.duration(w, "max_rpo", PitrVerifyStep.DEFAULT_MAX_RPO)));
        if (!Boolean.FALSE.equals(w.get("archiver"))) {
            lines.add(ARCHIVER_SQL);
        }
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        Map<String, Object> w = context.step().with();
        List<List<Object>> rows = new ArrayList<>();
        WalArchive archive;
        Wal.Start start;
        String startFrom;
        try {
            if (w.get("pgbackrest_stanza") != null) {
                PgBackRest repo = PitrParams.pgBackRest(w);
                archive = repo.archive();
                start = repo.oldestStart();
                startFrom = "the oldest pgBackRest backup";
            } else {
                archive = WalArchive.ofDirectory(Path.of(String.valueOf(w.get("archive"))), w.get("wal_segment_size") instanceof Number n ? n.longValue() : null);
                Object[] s = startOf(w, archive);
                start = (Wal.Start) s[0];
                startFrom = (String) s[1];
            }
        } catch (IOException e) {
            return StepOutcome.verdict(Status.FAIL, e.getMessage(), Evidence.none());
        }
        Duration maxRpo = PitrParams.duration(w, "max_rpo", PitrVerifyStep.DEFAULT_MAX_RPO);
        Map<String, String> labels = Map.of("archive", archive.location());
        List<Metric> metrics = new ArrayList<>();
        if (start == null) {
            rows.add(List.of("a base backup's start to check from", "no base backup and no .backup file in the archive", false));
        } else {
            ArchiveContinuity.Result c = ArchiveContinuity.check(archive, start, 0, null);
            rows.add(List.of("every segment from " + startFrom + " (" + Wal.lsn(start.lsn()) + ") to the newest is archived and sound",
                    c.ok() ? c.checked() + " segments, " + c.segmentName(c.startSegment()) + " to " + c.newest() + ", timelines " + c.path().keySet()
                            : String.join("; ", c.problems()), c.ok()));
            metrics.add(Metric.gauge("pgrunbook_wal_archive_missing_segments", "Segments missing between the oldest base backup and the newest archived one",
                    labels, c.missing()));
            Duration age = c.newestTime() == null ? null : Duration.between(c.newestTime(), Instant.now());
            rows.add(List.of("the newest archived segment is younger than max_rpo " + Durations.show(maxRpo),
                    age == null ? "nothing archived" : c.newest() + " archived " + PitrDrill.seconds(age) + " ago", age != null && age.compareTo(maxRpo) <= 0));
            if (age != null) {
                metrics.add(Metric.gauge("pgrunbook_wal_archive_newest_age_seconds", "Age of the newest archived WAL segment (the RPO)", labels, age.toSeconds()));
            }
        }
        if (!Boolean.FALSE.equals(w.get("archiver"))) {
            rows.add(archiver(context, metrics));
        }
        List<String> failed = rows.stream().filter(r -> !Boolean.TRUE.equals(r.get(2))).map(r -> String.valueOf(r.get(1))).toList();
        String message = failed.isEmpty() ? "WAL archive " + archive.location() + ": " + rows.get(0).get(1)
                : "WAL archive " + archive.location() + ": " + String.join("; ", failed);
        return StepOutcome.verdict(failed.isEmpty() ? Status.PASS : Status.FAIL, message,
                new Evidence("every condition true", message, List.of("condition", "observed", "ok"), rows, rows.size())).withMetrics(metrics);
    }

    /** The oldest physical backup's start when a backups directory is given, else the oldest .backup file's. */
    private static Object[] startOf(Map<String, Object> w, WalArchive archive) throws IOException {
        if (w.get("backups") != null) {
            List<Path> backups = PitrParams.physical(Path.of(String.valueOf(w.get("backups"))));
            if (!backups.isEmpty()) {
                Path oldest = backups.get(backups.size() - 1);
                BackupToolkit.Summary s = BackupToolkit.readManifest(oldest);
                return new Object[] {new Wal.Start(((Number) s.options().get("timeline")).intValue(), Wal.parseLsn(s.walLsn())),
                        "the oldest base backup " + oldest.getFileName()};
            }
        }
        return new Object[] {archive.oldestBackupStart(), "the oldest base backup recorded in the archive"};
    }

    private static List<Object> archiver(StepContext context, List<Metric> metrics) throws java.sql.SQLException {
        return context.inTransaction(true, c -> {
            try (PreparedStatement ps = c.prepareStatement(ARCHIVER_SQL); ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean failing = rs.getBoolean(6);
                metrics.add(Metric.gauge("pgrunbook_wal_archive_failed_count", "archive_command failures since the statistics were reset (pg_stat_archiver)",
                        Map.of("database", context.server().database()), rs.getLong(2)));
                String observed = "archived " + rs.getLong(1) + " (last at " + rs.getString(5) + "), failed " + rs.getLong(2)
                        + (rs.getString(3) == null ? "" : " (last " + rs.getString(3) + " at " + rs.getString(4) + ")");
                return List.<Object>of("archive_command is not failing on the target (pg_stat_archiver)", observed, !failing);
            }
        });
    }
}
