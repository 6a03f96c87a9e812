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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code type: pitr.verify}: proves a physical backup and its WAL archive by a point-in-time recovery
 * drill ({@link PitrDrill}) on a throwaway local instance, from a pgrunbook base backup and archive
 * directory or from a pgBackRest stanza; {@code drill: false} stops after level 1 (stored files,
 * archive continuity, the target, pg_verifybackup on an extraction). Needs no write to the target.
 */
public final class PitrVerifyStep extends PitrStepBase {
    static final Duration DEFAULT_MAX_RTO = Duration.ofHours(1);
    static final Duration DEFAULT_MAX_RPO = Duration.ofMinutes(15);

    @Override
    public String name() {
        return "pitr.verify";
    }

    @Override
    public String summary() {
        return "point-in-time recovery drill: base backup + WAL archive replayed to a target on a throwaway instance, with RTO and RPO";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.optional("backup", ValueKind.STRING, "the physical backup directory (made by backup --physical)"),
                ParamSpec.optional("latest", ValueKind.STRING, "drill the newest complete physical backup in this directory instead"),
                PitrParams.ARCHIVE, PitrParams.STANZA, PitrParams.CONFIG, PitrParams.PROGRAM,
                ParamSpec.optional("target_time", ValueKind.STRING, "recover to this time (2026-12-06T07:25:08Z); default: the end of the archive"),
                ParamSpec.optional("target_lsn", ValueKind.STRING, "recover to this WAL location (0/3000148)"),
                ParamSpec.optional("target_name", ValueKind.STRING, "recover to this restore point (pg_create_restore_point)"),
                ParamSpec.optional("max_rto", ValueKind.DURATION, "fail when restore + recovery take longer (default 1h, seed 002's RTO)"),
                PitrParams.MAX_RPO,
                ParamSpec.optional("database", ValueKind.STRING, "database of the recovered instance the checks and amcheck run in (default postgres)"),
                ParamSpec.optional("user", ValueKind.STRING, "superuser of the recovered cluster (default postgres)"),
                ParamSpec.optional("checks", ValueKind.STRING_LIST, "queries run on the recovered instance; each must return true"),
                ParamSpec.optional("amcheck", ValueKind.BOOLEAN, "run amcheck's bt_index_check on every B-tree index when available (default true)"),
                ParamSpec.optional("drill", ValueKind.BOOLEAN, "recover on a throwaway instance (default true); false: level 1 only"),
                PitrParams.SEGMENT_SIZE,
                ParamSpec.optional("pg_verifybackup", ValueKind.STRING, "path of pg_verifybackup (default: the installation pgrunbook finds)"));
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        Map<String, Object> w = step.with();
        long sources = List.of("backup", "latest", "pgbackrest_stanza").stream().filter(k -> w.get(k) != null).count();
        if (sources != 1) {
            problems.add(step.location(), "pitr.verify: give exactly one of backup, latest (a directory of backups) or pgbackrest_stanza");
        }
        if (w.get("pgbackrest_stanza") == null && w.get("archive") == null) {
            problems.add(step.location(), "pitr.verify: give archive (the WAL archive directory) with a base backup");
        }
        try {
            PitrTarget.from(w);
        } catch (IllegalArgumentException e) {
            problems.add(step.location(), "pitr.verify: " + e.getMessage());
        }
    }

    @Override
    public List<String> describe(Step step) {
        Map<String, Object> w = step.with();
        List<String> lines = new ArrayList<>();
        String source = w.get("pgbackrest_stanza") != null ? "pgBackRest stanza " + w.get("pgbackrest_stanza")
                : (w.get("backup") != null ? "base backup " + w.get("backup") : "newest physical backup in " + w.get("latest")) + " + archive " + w.get("archive");
        lines.add("-- level 1: " + source + ": files against manifest.json, archive continuity from the backup's start, the target");
        if (!Boolean.FALSE.equals(w.get("drill"))) {
            lines.add("-- a throwaway instance in " + System.getProperty("java.io.tmpdir") + "/" + PitrDrill.PREFIX + "*: restore, pg_verifybackup, "
                    + "recovery to " + PitrTarget.from(w) + ", promote");
            ((List<?>) w.getOrDefault("checks", List.of())).forEach(c -> lines.add(c + "   -- on the recovered instance, must return true"));
            lines.add("-- amcheck, RTO <= " + Durations.show(PitrParams.duration(w, "max_rto", DEFAULT_MAX_RTO)) + ", RPO <= "
                    + Durations.show(PitrParams.duration(w, "max_rpo", DEFAULT_MAX_RPO)) + "; the instance and its files removed afterwards");
        }
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        Map<String, Object> w = context.step().with();
        DrillSource source;
        try {
            source = source(w);
        } catch (DrillSource.DrillFailure e) {
            return fail(e.getMessage(), "pitr", List.of());
        }
        if (source == null) {
            return fail("no complete physical backup in " + w.get("latest") + (Files.isDirectory(Path.of(String.valueOf(w.get("latest")))) ? "" : " (no such directory)"),
                    "pitr", List.of());
        }
        List<String> checks = w.get("checks") instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
        PitrDrill.Settings settings = new PitrDrill.Settings(PitrTarget.from(w), PitrParams.duration(w, "max_rto", DEFAULT_MAX_RTO),
                PitrParams.duration(w, "max_rpo", DEFAULT_MAX_RPO), String.valueOf(w.getOrDefault("database", "postgres")),
                String.valueOf(w.getOrDefault("user", "postgres")), checks, !Boolean.FALSE.equals(w.get("amcheck")), !Boolean.FALSE.equals(w.get("drill")));
        PitrDrill.Outcome o = new PitrDrill(source, settings, context::isCancelled).run();
        Map<String, String> labels = Map.of("source", source.label());
        List<Metric> metrics = new ArrayList<>();
        metrics.add(Metric.gauge("pgrunbook_pitr_drill_success", "1 when the last PITR drill (or level-1 check) passed, 0 when it failed", labels, o.passed() ? 1 : 0));
        if (o.rto() != null) {
            metrics.add(Metric.gauge("pgrunbook_pitr_rto_seconds", "Measured recovery time of the last PITR drill (restore + replay + promotion)", labels,
                    o.rto().toMillis() / 1000.0));
        }
        if (o.rpo() != null) {
            metrics.add(Metric.gauge("pgrunbook_pitr_rpo_seconds", "Age of the newest archived WAL segment at the drill: the data a recovery now would lose",
                    labels, o.rpo().toMillis() / 1000.0));
        }
        if (o.passed()) {
            metrics.add(Metric.gauge("pgrunbook_pitr_drill_last_success_timestamp_seconds", "When a PITR drill last passed (Unix time)", labels,
                    Instant.now().getEpochSecond()));
        }
        Evidence evidence = new Evidence("every condition true", o.message(), List.of("condition", "observed", "ok"), o.rows(), o.rows().size());
        return StepOutcome.verdict(o.passed() ? Status.PASS : Status.FAIL, o.message(), evidence).withMetrics(metrics);
    }

    private static DrillSource source(Map<String, Object> w) throws IOException {
        if (w.get("pgbackrest_stanza") != null) {
            return PitrParams.pgBackRest(w);
        }
        Path backup = w.get("backup") != null ? Path.of(String.valueOf(w.get("backup"))) : PitrParams.newestPhysical(Path.of(String.valueOf(w.get("latest"))));
        if (backup == null) {
            return null;
        }
        try {
            return new NativeDrillSource(backup, Path.of(String.valueOf(w.get("archive"))), PitrParams.string(w, "pg_verifybackup"));
        } catch (IOException e) {
            throw new DrillSource.DrillFailure(e.getMessage());
        }
    }

    private static StepOutcome fail(String message, String label, List<List<Object>> rows) {
        return StepOutcome.verdict(Status.FAIL, message, new Evidence(null, message, List.of("condition", "observed", "ok"), rows, rows.size()))
                .withMetrics(List.of(Metric.gauge("pgrunbook_pitr_drill_success", "1 when the last PITR drill (or level-1 check) passed, 0 when it failed",
                        Map.of("source", label), 0)));
    }
}
