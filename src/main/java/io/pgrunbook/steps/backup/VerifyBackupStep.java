package io.pgrunbook.steps.backup;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.engine.StepType;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Metric;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code type: verify-backup}: level 1 checks the manifest, every file's size and SHA-256, and that
 * pg_restore reads the archive; level 2 (the drill) restores into a scratch database, compares every
 * table's row count with the manifest, checks the recorded indexes, constraints and policies, runs
 * the given checks, and drops the scratch database whatever happened. Any mismatch is a FAIL.
 */
public final class VerifyBackupStep implements StepType {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VerifyBackupStep.class);

    @Override
    public String name() {
        return "verify-backup";
    }

    @Override
    public String summary() {
        return "check a backup's files against its manifest, then restore it into a scratch database and compare every table";
    }

    /** The drill creates and drops a scratch database on the target. */
    @Override
    public boolean writes() {
        return true;
    }

    /** Without the drill, only files are read: no connection is opened, no database is needed. */
    @Override
    public boolean needsDatabase(Step step) {
        return !Boolean.FALSE.equals(step.with().get("drill"));
    }

    @Override
    public boolean writes(Step step) {
        return needsDatabase(step);
    }

    @Override
    public SqlUse sqlUse() {
        return SqlUse.NONE;
    }

    @Override
    public boolean acceptsExpect() {
        return false;
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.optional("path", ValueKind.STRING, "the backup directory to verify"),
                ParamSpec.optional("latest", ValueKind.STRING, "verify the newest complete backup in this directory instead"),
                ParamSpec.optional("max_age", ValueKind.DURATION, "fail when the backup finished longer ago than this (e.g. 26h)"),
                ParamSpec.optional("drill", ValueKind.BOOLEAN, "restore into a scratch database and compare (default true)"),
                ParamSpec.optional("drill_db", ValueKind.STRING, "name of the scratch database (default pgrunbook_drill_<random>); must not exist"),
                ParamSpec.optional("jobs", ValueKind.INTEGER, "parallel pg_restore jobs (default 2)"),
                ParamSpec.optional("checks", ValueKind.STRING_LIST, "extra queries run in the restored database; each must return true"),
                ParamSpec.optional("pg_restore", ValueKind.STRING, "path of pg_restore (default: the installation pgrunbook finds)"),
                ParamSpec.optional("manifest_key_file", ValueKind.STRING, "file holding the key the manifest's HMAC was made with"),
                ParamSpec.optional("amcheck", ValueKind.BOOLEAN, "check the restored database's B-tree indexes and heaps with pg_amcheck (default true)"));
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        boolean path = step.with().get("path") != null;
        boolean latest = step.with().get("latest") != null;
        if (path == latest) {
            problems.add(step.location(), "verify-backup: give exactly one of path (a backup) or latest (a directory of backups)");
        }
        Integer jobs = BackupOptions.optInteger(step.with(), "jobs");
        if (jobs != null && jobs < 1) {
            problems.add(step.location(), "verify-backup: jobs must be at least 1, not " + jobs);
        }
    }

    @Override
    public List<String> describe(Step step) {
        Map<String, Object> w = step.with();
        List<String> lines = new ArrayList<>();
        lines.add("-- level 1: " + BackupManifest.FILE_NAME + ", every file's size and SHA-256, pg_restore --list");
        if (!Boolean.FALSE.equals(w.get("drill"))) {
            lines.add("CREATE DATABASE " + w.getOrDefault("drill_db", "pgrunbook_drill_<random>") + "   -- scratch, on the target");
            lines.add("-- with " + Globals.FILE + " in the backup and a superuser: missing roles created, owners and grants restored too");
            lines.add("pg_restore --jobs=" + BackupOptions.integer(w, "jobs", 2) + " [--no-owner --no-acl] --exit-on-error --dbname=<scratch> <archive>");
            lines.add("SELECT count(*) FROM ONLY <table>   -- per table, compared with the manifest");
            BackupOptions.strings(w, "checks").forEach(c -> lines.add(c + "   -- must return true"));
            if (!Boolean.FALSE.equals(w.get("amcheck"))) {
                lines.add("pg_amcheck --install-missing --parent-check <scratch>   -- B-tree indexes and heaps");
            }
            lines.add("DROP DATABASE <scratch> WITH (FORCE)   -- always, on failure too");
        }
        w.forEach((k, v) -> lines.add("-- " + k + ": " + v));
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        Map<String, Object> w = context.step().with();
        Path backup;
        if (w.get("latest") != null) {
            Path root = Path.of(String.valueOf(w.get("latest")));
            backup = BackupLayout.latest(root).map(BackupLayout.Complete::directory).orElse(null);
            if (backup == null) {
                return fail("no complete backup in " + root + (Files.isDirectory(root) ? "" : " (no such directory)"), List.of(), null);
            }
        } else {
            backup = Path.of(String.valueOf(w.get("path")));
        }
        PgTool pgRestore = PgTool.find("pg_restore", (String) w.get("pg_restore"));
        BackupManifest manifest;
        try {
            manifest = BackupManifest.read(backup);
        } catch (BackupManifest.BackupProblem e) {
            return fail(e.getMessage(), List.of(), null);
        }
        if (!manifest.backup().equals(backup.getFileName().toString())) {
            return fail(backup + "/" + BackupManifest.FILE_NAME + " belongs to backup " + manifest.backup()
                    + ", not to " + backup.getFileName() + ": a manifest copied from another backup", List.of(), manifest);
        }
        if (BackupToolkit.PHYSICAL.equals(manifest.format())) {
            return fail(backup + " is a physical (pg_basebackup) backup: verify it with type pitr.verify "
                    + "(pgrunbook verify-backup chooses it by itself)", List.of(), manifest);
        }
        int jobs = BackupOptions.integer(w, "jobs", 2);
        boolean drillOn = !Boolean.FALSE.equals(w.get("drill"));
        ManifestDigest.Verdict digest = ManifestDigest.verdict(backup, manifest, ManifestDigest.readKey((String) w.get("manifest_key_file")), true);
        String legacy = digest.warning();
        Duration age = Duration.between(Instant.parse(manifest.finishedAt()), Instant.now());
        // With the drill, the files' hashes are checked while it restores (below); without it, or when
        // anything is already wrong, here, so that a failure names every problem as it always has.
        long t = System.nanoTime();
        List<String> problems = levelOne(backup, manifest, w, pgRestore, jobs, !drillOn, digest, age);
        if (drillOn && !problems.isEmpty()) {
            problems = levelOne(backup, manifest, w, pgRestore, jobs, true, digest, age);
        }
        LOG.debug("verify-backup: level 1 ({} files{}) took {} ms", manifest.files().size(), drillOn ? ", hashes during the drill" : "",
                (System.nanoTime() - t) / 1_000_000);
        if (!problems.isEmpty()) {
            return levelOneFailed(backup, problems, manifest);
        }
        List<Metric> metrics = new ArrayList<>(List.of(
                Metric.gauge("pgrunbook_backup_age_seconds", "Age of the verified backup", labels(manifest), age.toSeconds())));
        Status passed = legacy == null ? Status.PASS : Status.WARN;
        String also = legacy == null ? "" : "; but " + legacy;
        if (Boolean.FALSE.equals(w.get("drill"))) {
            return StepOutcome.verdict(passed, backup + ": level 1 passed: " + manifest.files().size()
                    + " files match the manifest, pg_restore reads the archive (no restore drill)" + also, Evidence.none())
                    .withMetrics(withSuccess(metrics, manifest));
        }
        CompletableFuture<List<String>> hashes = Background.start("pgrunbook-verify-hashes", () -> FileCheck.check(backup, manifest, jobs));
        RestoreDrill.Outcome drill;
        try {
            drill = new RestoreDrill(context, pgRestore, backup, manifest, (String) w.get("drill_db"), jobs, BackupOptions.strings(w, "checks"))
                    .withAmcheck(!Boolean.FALSE.equals(w.get("amcheck")))
                    .withStop(() -> hashes.isCompletedExceptionally() || hashes.isDone() && !hashes.join().isEmpty()).run();
        } catch (Exception e) {
            List<String> corrupt = Background.await(hashes);
            if (!corrupt.isEmpty()) {
                return levelOneFailed(backup, corrupt, manifest);
            }
            throw e;
        }
        // A corrupt file stops the drill early, and the verdict is level 1's, exactly as when level 1 ran first.
        List<String> corrupt = Background.await(hashes);
        if (!corrupt.isEmpty()) {
            return levelOneFailed(backup, corrupt, manifest);
        }
        metrics.add(Metric.gauge("pgrunbook_backup_restore_seconds", "Restore time of the last drill (the measured RTO)",
                labels(manifest), drill.restoreTime().toMillis() / 1000.0));
        Evidence evidence = new Evidence("row counts equal to the manifest", drill.summary(), List.of("table", "rows_in_manifest", "rows_restored", "status"),
                drill.rows(), drill.rows().size());
        if (!drill.problems().isEmpty()) {
            return StepOutcome.verdict(Status.FAIL, backup + ": restore drill failed: " + String.join("; ", drill.problems()), evidence)
                    .withMetrics(metrics);
        }
        return StepOutcome.verdict(passed, backup + ": " + drill.summary() + also, evidence).withMetrics(withSuccess(metrics, manifest));
    }

    /** Level 1's problems, in the order they have always been listed; {@code hash}: also every file's SHA-256. */
    private static List<String> levelOne(Path backup, BackupManifest manifest, Map<String, Object> w, PgTool pgRestore, int jobs,
            boolean hash, ManifestDigest.Verdict digest, Duration age) throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>(FileCheck.check(backup, manifest, jobs, hash));
        if (digest.problem() != null) {
            problems.add(digest.problem());
        }
        if (manifest.files().isEmpty() || (manifest.tables().isEmpty() && !Boolean.TRUE.equals(manifest.options().get("schema_only")))) {
            problems.add("the backup is empty: its manifest lists no " + (manifest.files().isEmpty() ? "files" : "tables"));
        }
        Duration maxAge = (Duration) w.get("max_age");
        if (maxAge != null && age.compareTo(maxAge) > 0) {
            problems.add("the backup is too old: it finished " + age.toHours() + "h" + age.toMinutesPart() + "m ago (" + manifest.finishedAt()
                    + "), more than max_age " + maxAge.toString().substring(2).toLowerCase());
        }
        if (problems.isEmpty()) {
            String listing = FileCheck.restoreList(pgRestore, backup.resolve(manifest.archive()));
            if (listing != null) {
                problems.add(listing);
            }
        }
        return problems;
    }

    private static StepOutcome levelOneFailed(Path backup, List<String> problems, BackupManifest manifest) {
        return fail(backup + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems") + ": " + problems.get(0), problems, manifest);
    }

    private static List<Metric> withSuccess(List<Metric> metrics, BackupManifest m) {
        List<Metric> out = new ArrayList<>(metrics);
        out.add(Metric.gauge("pgrunbook_backup_verify_last_success_timestamp_seconds", "When a backup last passed verification (Unix time)",
                labels(m), Instant.now().getEpochSecond()));
        return out;
    }

    private static Map<String, String> labels(BackupManifest m) {
        return Map.of("database", m.database());
    }

    private static StepOutcome fail(String message, List<String> problems, BackupManifest m) {
        List<List<Object>> rows = problems.stream().map(p -> List.<Object>of(p)).toList();
        return StepOutcome.verdict(Status.FAIL, message, new Evidence(null, message, List.of("problem"), rows, rows.size()));
    }

    static PgRunbookException noSuch(String what) {
        return PgRunbookException.invalid(what);
    }
}
