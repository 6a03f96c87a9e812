package io.pgrunbook.steps.migrate;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.Step;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The migrate actions on one target: dispatch, the migration lock, and {@code up}. Status, down,
 * baseline/repair and lint live in classes of their own; each returns a verdict with its evidence.
 */
final class Migrator {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Migrator.class);

    private final StepContext ctx;
    private final Step step;
    private final List<Migration> migrations;
    private final List<Migration> repeatables;
    private final SchemaHistory history;
    private final MigrationSettings settings;

    Migrator(StepContext ctx, List<Migration> migrations, List<Migration> repeatables, SchemaHistory history, MigrationSettings settings) {
        this.ctx = ctx;
        this.step = ctx.step();
        this.migrations = migrations;
        this.repeatables = repeatables;
        this.history = history;
        this.settings = settings;
    }

    StepOutcome run(String action) throws SQLException {
        return switch (action) {
            case "status" -> status(false);
            case "validate" -> status(true);
            case "lint" -> lint();
            case "rehearse" -> rehearse();
            case "up" -> locked(this::up);
            case "down" -> locked(() -> MigrationRollback.run(ctx, history, migrations, readHistory(), MigrateStep.opt(step, MigrateStep.TO),
                    step.with().get(MigrateStep.STEPS) instanceof Number n ? n.intValue() : null, settings));
            case "baseline" -> locked(() -> HistoryRepair.baseline(ctx, history, migrations, readHistory(), MigrateStep.opt(step, MigrateStep.VERSION)));
            case "repair" -> locked(() -> HistoryRepair.repair(ctx, history, migrations, readHistory()));
            default -> throw new MigrationException("unknown migrate action '" + action + "'");
        };
    }

    private interface LockedWork {
        StepOutcome run() throws SQLException;
    }

    /** Holds the session-level lock on a connection of its own, idle and outside any transaction, while work runs on others. */
    private StepOutcome locked(LockedWork work) throws SQLException {
        String name = MigrationLock.name(history);
        return ctx.withoutTransaction(lockConnection -> {
            MigrationLock.acquire(lockConnection, name, settings.lockWait(), ctx::isCancelled);
            try {
                ctx.withoutTransaction(c -> {
                    history.create(c);
                    return null;
                });
                return work.run();
            } finally {
                MigrationLock.release(lockConnection, name);
            }
        });
    }

    private Map<String, SchemaHistory.Row> readHistory() throws SQLException {
        // SchemaHistory.read returns the rows in version order already; sorting them a second time cost more than the read.
        Map<String, SchemaHistory.Row> rows = new LinkedHashMap<>();
        ctx.inTransaction(true, c -> {
            history.read(c).forEach(r -> rows.put(r.version(), r));
            return null;
        });
        return rows;
    }

    static String baselineVersion(Map<String, SchemaHistory.Row> rows) {
        return rows.values().stream().filter(r -> r.kind().equals("baseline")).map(SchemaHistory.Row::version).findFirst().orElse(null);
    }

    private StepOutcome status(boolean validate) throws SQLException {
        long t0 = System.nanoTime();
        Map<String, SchemaHistory.Row> rows = readHistory();
        long t1 = System.nanoTime();
        StepOutcome outcome = MigrationStatus.compare(migrations, repeatables, rows, validate);
        LOG.debug("migrate {}: {} file(s) and {} history row(s); history read in {} ms, compared in {} ms", validate ? "validate" : "status",
                migrations.size(), rows.size(), (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        return outcome;
    }

    private StepOutcome lint() throws SQLException {
        int version = MigrationLint.version(step, ctx);
        List<Linter.Finding> findings = MigrationLint.lint(migrations, repeatables, version);
        return LintRows.verdict(findings, LintRows.sizes(ctx), migrations.size() + repeatables.size(), version, settings.safe());
    }

    /** The pending migrations (versioned, then repeatables due) on a sandbox copy of the target; the target is only read. */
    private StepOutcome rehearse() throws SQLException {
        Map<String, SchemaHistory.Row> rows = readHistory();
        List<Migration> toRun = new ArrayList<>(pending(rows));
        toRun.addAll(repeatablesDue(rows));
        Object sample = step.with().get(MigrateStep.SAMPLE_ROWS);
        return Rehearsal.run(ctx, history, toRun, sample instanceof Number n ? n.intValue() : Rehearsal.DEFAULT_SAMPLE_ROWS, settings);
    }

    /** Pending versioned migrations, in order: not applied, not covered by a baseline, not above --to. */
    private List<Migration> pending(Map<String, SchemaHistory.Row> rows) {
        String baseline = baselineVersion(rows);
        String to = MigrateStep.opt(step, MigrateStep.TO);
        List<Migration> out = new ArrayList<>();
        for (Migration m : migrations) {
            SchemaHistory.Row r = rows.get(m.version());
            boolean done = r != null && r.success();
            boolean covered = baseline != null && Migration.compareVersions(m.version(), baseline) <= 0;
            if (!done && !covered && (to == null || Migration.compareVersions(m.version(), to) <= 0)) {
                out.add(m);
            }
        }
        return out;
    }

    /** Repeatable migrations whose text is new or changed since they were last applied; they run after the versioned ones. */
    private List<Migration> repeatablesDue(Map<String, SchemaHistory.Row> rows) {
        return repeatables.stream().filter(m -> {
            SchemaHistory.Row r = rows.get(m.version());
            return r == null || !r.success() || !m.checksum().equals(r.checksum());
        }).toList();
    }

    /** Pending versions below the highest applied one: applied out of order only when asked (Flyway's default too). */
    private List<Migration> outOfOrder(Map<String, SchemaHistory.Row> rows, List<Migration> todo) {
        String highest = null;
        for (SchemaHistory.Row r : rows.values()) {
            if (r.success() && !r.kind().equals("repeatable") && (highest == null || Migration.compareVersions(r.version(), highest) > 0)) {
                highest = r.version();
            }
        }
        String top = highest;
        return top == null ? List.of() : todo.stream().filter(m -> Migration.compareVersions(m.version(), top) < 0).toList();
    }

    private StepOutcome up() throws SQLException {
        Map<String, SchemaHistory.Row> rows = readHistory();
        List<String> blocking = new ArrayList<>();
        Map<String, Migration> byVersion = new java.util.HashMap<>();
        migrations.forEach(m -> byVersion.put(m.version(), m));
        for (SchemaHistory.Row r : rows.values()) {
            if (!r.success() && !r.transactional()) {
                blocking.add(r.version() + " (" + r.error() + ")");
            }
            Migration m = byVersion.get(r.version());
            if (r.success() && r.kind().equals("migration") && m != null && !m.checksum().equals(r.checksum())) {
                blocking.add(r.version() + ": " + m.upFile().getFileName() + " changed since it was applied");
            }
        }
        if (!blocking.isEmpty()) {
            return StepOutcome.verdict(Status.FAIL, "not applying anything: " + String.join("; ", blocking)
                    + ". Look at the database, then 'pgrunbook migrate repair' to accept its state", Evidence.none());
        }
        List<Migration> todo = pending(rows);
        List<Migration> late = outOfOrder(rows, todo);
        if (!late.isEmpty() && !settings.outOfOrder()) {
            return StepOutcome.verdict(Status.FAIL, "refusing to apply out of order: " + String.join(", ", late.stream()
                    .map(m -> m.upFile().getFileName().toString()).toList()) + " " + (late.size() == 1 ? "is" : "are")
                    + " below the highest applied version; nothing was applied. If the order does not matter, rerun with --out-of-order "
                    + "(recorded in the history as out of order)", Evidence.none());
        }
        List<Migration> again = repeatablesDue(rows);
        List<Migration> toRun = new ArrayList<>(todo);
        toRun.addAll(again);
        List<Linter.Finding> findings = MigrationLint.lint(migrations, repeatables, MigrationLint.version(step, ctx), toRun);
        List<List<Object>> out = new ArrayList<>();
        for (List<Object> f : LintRows.rows(findings, LintRows.sizes(ctx))) {
            out.add(Arrays.asList("lint", f.get(0) + ":" + f.get(1), "[" + f.get(2) + " " + f.get(3) + "] " + f.get(6)
                    + (f.get(5) == null ? "" : " (table: " + f.get(5) + ")") + "; safer: " + f.get(7), null));
        }
        int total = todo.size() + again.size();
        if (settings.safe() && !findings.isEmpty()) {
            return StepOutcome.verdict(Status.FAIL, "--safe: " + findings.size() + " lint finding(s); nothing was applied. Fix them or "
                    + "silence one with '-- pgrunbook:allow RULE reason'", evidence(out, total, 0));
        }
        history.outOfOrder(late.stream().map(Migration::version).toList());
        int done = 0;
        int retries = 0;
        EndStateModel model = new EndStateModel();
        for (Migration m : toRun) {
            if (ctx.isCancelled()) {
                break;
            }
            List<SqlScript.Statement> statements = SqlScript.split(m.upSql(), m.upFile());
            MigrationExecutor.Result r = MigrationExecutor.run(ctx, history, m, true, statements, settings,
                    line -> out.add(Arrays.asList("retry", m.version(), line, null)));
            if (!r.success()) {
                out.add(Arrays.asList("failed", m.version(), r.error(), r.millis()));
                return StepOutcome.verdict(Status.FAIL, "migration " + m.version() + " failed: " + r.error() + ". " + done + " applied before it; "
                        + m.version() + " " + state(r) + "; " + (total - done - 1) + " not run", evidence(out, total, done));
            }
            done++;
            retries += r.retries();
            String file = m.upFile().getFileName().toString();
            // Replayed as it ran: with ${ident:...} and ${literal:...} substituted, so the names are the real ones.
            model.apply(m.version(), file, SqlScript.split(MigrationExecutor.substitute(m.upSql(), ctx.vars(), file)));
            out.add(Arrays.asList(m.repeatable() ? "reapplied" : late.contains(m) ? "applied out of order" : "applied", m.version(),
                    m.description() + (r.transactional() ? "" : " (outside a transaction)"), r.millis()));
        }
        List<String> problems = ctx.inTransaction(true, c -> EndStateVerifier.verify(c, model));
        if (!problems.isEmpty()) {
            return StepOutcome.verdict(Status.FAIL, done + " applied, but the end state is not what they leave behind: "
                    + String.join("; ", problems), evidence(out, total, done));
        }
        String msg = total == 0 ? "up to date: nothing to apply" : done + " of " + total + " applied"
                + (again.isEmpty() ? "" : " (" + again.size() + " repeatable, new or changed)")
                + (late.isEmpty() ? "" : "; " + late.size() + " applied out of order (--out-of-order): "
                + String.join(", ", late.stream().map(Migration::version).toList()))
                + (done > 0 ? "; end state verified: " + model.expected().size() + " object(s) they leave behind exist, no INVALID index" : "")
                + (retries == 0 ? "" : "; " + retries + " retry(ies) after lock_timeout, each shown in the rows");
        Status s = done != total ? Status.FAIL : !findings.isEmpty() ? Status.WARN : Status.PASS;
        return StepOutcome.verdict(s, findings.isEmpty() ? msg : msg + "; " + findings.size() + " lint finding(s)", evidence(out, total, done));
    }

    /** What the database and its history hold after a failed migration, as far as this side can know. */
    private static String state(MigrationExecutor.Result r) {
        if (r.connectionLost() && r.transactional()) {
            // The history row is written in the migration's own transaction, so the two cannot disagree.
            return "lost its connection to the server: the server rolled it back, or, if the connection broke during COMMIT, "
                    + "committed it together with its history row; the history says which: run 'pgrunbook migrate status' "
                    + "once the server is back";
        }
        if (r.connectionLost()) {
            return "lost its connection to the server while running outside a transaction: partly applied, and marked in "
                    + "the history as started and not finished before it ran; check what it left, then 'pgrunbook migrate repair'";
        }
        return r.transactional() ? "rolled back and recorded as failed" : "ran outside a transaction: partly applied, recorded as failed";
    }

    static Evidence evidence(List<List<Object>> rows, int todo, int done) {
        return new Evidence(null, done + " of " + todo + " applied", List.of("event", "version", "detail", "ms"), rows, rows.size());
    }
}
