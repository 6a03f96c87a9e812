package io.pgrunbook.steps.pitr;

import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxLeftovers;
import io.pgrunbook.db.SandboxOptions;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.runbook.load.Durations;
import io.pgrunbook.steps.backup.BackupToolkit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A point-in-time recovery drill: the stored backup and the archive checked first (a gap fails before
 * anything starts, naming the first missing segment), then a throwaway instance (a {@link Sandbox})
 * restored from the base backup replays the archive to the target and promotes; the verdict needs
 * the target reached (never a recovery that stopped short), the promotion, the user's checks and
 * amcheck on the recovered data, and the measured RTO and the archive's RPO within their limits.
 * The instance and its files are removed whatever happens; a killed drill's are removed by the next.
 */
final class PitrDrill {
    static final String PREFIX = "pgrunbook-drill-";
    private static final String HBA = "local all all trust\nhost all all 127.0.0.1/32 trust\n";

    /** What to do; {@code recover} false is level 1 only (stored files, archive, target, pg_verifybackup on an extraction). */
    record Settings(PitrTarget target, Duration maxRto, Duration maxRpo, String database, String user, List<String> checks,
            boolean amcheck, boolean recover) {}

    /** The verdict's material: every condition as (condition, observed, ok), and the measurements. */
    record Outcome(boolean passed, String message, List<List<Object>> rows, Duration rto, Duration rpo) {}

    private final DrillSource source;
    private final Settings settings;
    private final BooleanSupplier cancelled;
    private final List<List<Object>> rows = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    PitrDrill(DrillSource source, Settings settings, BooleanSupplier cancelled) {
        this.source = source;
        this.settings = settings;
        this.cancelled = cancelled;
    }

    Outcome run() throws IOException, InterruptedException {
        Instant began = Instant.now();
        List<Path> stale = SandboxLeftovers.removeStale(PREFIX);
        if (!stale.isEmpty()) {
            row("leftovers of killed drills removed", stale.size() + ": " + stale, true);
        }
        List<String> stored = source.storedProblems();
        row("the stored base backup matches its manifest", stored.isEmpty() ? "every file matches" : String.join("; ", stored), stored.isEmpty());
        ArchiveContinuity.Result archive = ArchiveContinuity.check(source.archive(), source.start(), 0, source.systemId());
        row("the WAL archive is continuous from the base backup's start", archive.ok()
                ? archive.checked() + " segments " + archive.segmentName(archive.startSegment()) + " to " + archive.newest()
                        + " on timelines " + archive.path().keySet()
                : String.join("; ", archive.problems()), archive.ok());
        Duration rpo = archive.newestTime() == null ? null : Duration.between(archive.newestTime(), Instant.now());
        checkTarget(archive);
        checkSpace();
        if (!failures.isEmpty() || !settings.recover()) {
            if (failures.isEmpty()) {
                levelOne();
            }
            return finish(null, rpo, archive);
        }
        Duration rto = recover(began, archive);
        return finish(rto, rpo, archive);
    }

    /** A target the backup and archive cannot reach fails before any instance starts. */
    private void checkTarget(ArchiveContinuity.Result archive) {
        PitrTarget t = settings.target();
        if (t.kind() == PitrTarget.Kind.TIME && t.time().isBefore(source.backupEnd())) {
            row("the target is after the base backup ended", "target time " + t.time() + " is before the base backup ended at " + source.backupEnd()
                    + ": recovery from this backup cannot stop that early; drill an older base backup", false);
        } else if (t.kind() == PitrTarget.Kind.TIME && archive.newestTime() != null && t.time().isAfter(archive.newestTime().plusSeconds(1))) {
            // a second of slack: pgBackRest's repository times are whole seconds
            row("the target is within the archived WAL", "target time " + t.time() + " is after the newest archived WAL (" + archive.newest()
                    + ", archived " + archive.newestTime() + "): recovery cannot reach it", false);
        } else if (t.kind() == PitrTarget.Kind.LSN && t.lsn() < source.endLsn()) {
            row("the target is after the base backup ended", "target LSN " + Wal.lsn(t.lsn()) + " is before the base backup's end "
                    + Wal.lsn(source.endLsn()), false);
        } else if (t.kind() == PitrTarget.Kind.LSN && archive.newestSegment() >= 0
                && t.lsn() >= (archive.newestSegment() + 1) * archive.segmentSize()) {
            row("the target is within the archived WAL", "target LSN " + Wal.lsn(t.lsn()) + " is after the newest archived segment " + archive.newest(), false);
        }
    }

    /** The restored data directory needs about the cluster's size in the temporary directory (seed 002: size + 15 %). */
    private void checkSpace() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long usable = tmp.toFile().getUsableSpace(); // statvfs, no mount-table lookup
        long needed = (long) Math.ceil(source.estimatedSize() * 1.15);
        if (usable < needed) {
            row("the drill has the disk space it needs", BackupToolkit.bytes(usable) + " free in " + tmp + ", the restored cluster needs "
                    + BackupToolkit.bytes(needed) + " (its size + 15 %); free space or point java.io.tmpdir elsewhere (PGRUNBOOK_JAVA_OPTS=-Djava.io.tmpdir=...)", false);
        }
    }

    /** Without a recovery: the backup restored into a scratch directory so pg_verifybackup checks it, then removed. */
    private void levelOne() throws IOException {
        Path scratch = Files.createTempDirectory(PREFIX);
        try {
            source.restore(scratch, PitrTarget.latest());
            row("the base backup restores and verifies", "restored into a scratch directory" + verifiedBy(), true);
        } catch (DrillSource.DrillFailure e) {
            row("the base backup restores and verifies", e.getMessage(), false);
        } finally {
            BackupToolkit.deleteTree(scratch);
        }
    }

    private String verifiedBy() {
        return source instanceof NativeDrillSource ? " and pg_verifybackup accepts it" : " by pgbackrest restore (which checks every file)";
    }

    private Duration recover(Instant began, ArchiveContinuity.Result archive) throws IOException, InterruptedException {
        DrillSource.DrillFailure[] sourceFault = new DrillSource.DrillFailure[1];
        Sandbox sandbox = null;
        try {
            try {
                sandbox = Sandbox.startFrom(options(), PREFIX, dir -> prepare(dir, sourceFault));
            } catch (PgRunbookException e) {
                failedToStart(e, sourceFault[0]);
                return null;
            }
            RecoveredInstance instance = new RecoveredInstance(sandbox, settings.user(), settings.database());
            RecoveredInstance.Result r = instance.awaitPromotion(began.plus(settings.maxRto()), cancelled);
            RecoveryLog log = new RecoveryLog(new String(Files.readAllBytes(sandbox.serverLogPath())));
            if (!r.promoted()) {
                row("the instance recovered and was promoted", r.why() + fatal(log), false);
                return null;
            }
            Duration rto = Duration.between(began, Instant.now());
            reached(r, log, archive);
            row("the instance is consistent and promoted", "promoted to timeline " + r.timeline() + (log.consistentAt().map(c -> "; consistent at " + c).orElse("")), true);
            for (String check : settings.checks()) {
                String failed = instance.check(check);
                row("check: " + check, failed == null ? "true" : failed, failed == null);
            }
            if (settings.amcheck()) {
                RecoveredInstance.Amcheck a = instance.amcheck();
                row("amcheck on the recovered indexes", a.summary(), a.ok());
            }
            return rto;
        } finally {
            if (sandbox != null) {
                sandbox.stop();
            }
        }
    }

    /** Restores the backup into the new sandbox directory and adds what makes the copy a safe throwaway. */
    private Map<String, String> prepare(Path dir, DrillSource.DrillFailure[] sourceFault) throws IOException {
        Map<String, String> s = new LinkedHashMap<>();
        try {
            s.putAll(source.restore(dir, settings.target()));
        } catch (DrillSource.DrillFailure e) {
            sourceFault[0] = e;
            throw e;
        }
        Path data = dir.resolve("data");
        if (!Files.exists(data.resolve("postgresql.conf"))) {
            Files.writeString(data.resolve("postgresql.conf"), "# written by pgrunbook's drill: the backup had none (configuration kept elsewhere)\n");
        }
        Path hba = dir.resolve("drill_hba.conf");
        Files.writeString(hba, HBA);
        s.put("hba_file", hba.toString());
        return s;
    }

    /**
     * Never archive into the real archive (a promoted copy would push a new timeline there), log where
     * the drill reads it, and no TLS files of the source host.
     */
    private SandboxOptions options() {
        return SandboxOptions.defaults().withoutPgStatStatements().withStartTimeout(settings.maxRto())
                .withSetting("archive_mode", "off").withSetting("ssl", "off").withSetting("logging_collector", "off")
                .withSetting("log_min_messages", "warning").withSetting("hot_standby", "on");
    }

    private void failedToStart(PgRunbookException e, DrillSource.DrillFailure fault) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        RecoveryLog log = new RecoveryLog(message);
        if (fault != null) {
            row("the base backup restores and verifies", fault.getMessage(), false);
        } else if (message.contains("No space left on device")) {
            row("the drill had the disk space it needed", "ran out of disk space in " + System.getProperty("java.io.tmpdir") + ": "
                    + message.lines().filter(l -> l.contains("No space left")).findFirst().orElse(message).strip(), false);
        } else if (!log.fatal().isEmpty()) {
            row("the instance recovered and was promoted", "the server stopped during recovery: " + String.join(" | ", log.fatal()), false);
        } else {
            throw e;
        }
    }

    private static String fatal(RecoveryLog log) {
        return log.fatal().isEmpty() ? "" : ": " + String.join(" | ", log.fatal());
    }

    /** The target was reached: the server says where it stopped, or (latest) replay got to the archive's newest segment. */
    private void reached(RecoveredInstance.Result r, RecoveryLog log, ArchiveContinuity.Result archive) {
        String last = log.lastTransaction().map(t -> "; last transaction replayed was at " + t).orElse("");
        if (settings.target().kind() != PitrTarget.Kind.LATEST) {
            boolean ok = log.stopping().isPresent();
            row("recovery reached " + settings.target(), ok ? log.stopping().get() + last
                    : "recovery ended at " + r.replayLsn() + " without reaching the target" + last, ok);
            return;
        }
        long replayEnd = Wal.parseLsn(r.replayLsn());
        long segment = (replayEnd - 1) / archive.segmentSize();
        boolean ok = segment >= archive.newestSegment();
        row("recovery replayed the whole archive", ok
                ? "replayed to " + r.replayLsn() + " (segment " + archive.segmentName(segment) + ", the newest archived is " + archive.newest() + ")" + last
                : "recovery stopped short at " + r.replayLsn() + " in segment " + archive.segmentName(segment) + ", but the archive holds WAL up to "
                        + archive.newest() + ": segment " + archive.segmentName(segment) + " or the next is unreadable"
                        + log.invalidRecord().map(l -> " (" + l + ")").orElse(""), ok);
    }

    private Outcome finish(Duration rto, Duration rpo, ArchiveContinuity.Result archive) {
        if (rto != null) {
            boolean ok = rto.compareTo(settings.maxRto()) <= 0;
            row("RTO (restore + recovery) within " + Durations.show(settings.maxRto()), seconds(rto), ok);
        }
        if (rpo != null) {
            boolean ok = rpo.compareTo(settings.maxRpo()) <= 0;
            row("RPO (age of the newest archived segment) within " + Durations.show(settings.maxRpo()), seconds(rpo) + " (" + archive.newest() + ")", ok);
        } else {
            row("RPO (age of the newest archived segment) within " + Durations.show(settings.maxRpo()), "no segment archived", false);
        }
        String message;
        if (failures.isEmpty()) {
            message = (settings.recover() ? "recovered " + source.describe() + " to " + settings.target() + " in " + seconds(rto)
                    : "level 1 passed for " + source.describe() + " (no recovery)") + "; RPO " + seconds(rpo);
        } else {
            message = source.describe() + ": " + (settings.recover() ? "PITR drill failed: " : "") + String.join("; ", failures);
        }
        return new Outcome(failures.isEmpty(), message, List.copyOf(rows), rto, rpo);
    }

    private void row(String condition, String observed, boolean ok) {
        rows.add(List.of(condition, observed, ok));
        if (!ok) {
            failures.add(observed);
        }
    }

    static String seconds(Duration d) {
        return d == null ? "unknown" : String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
