package io.pgrunbook.steps.migrate;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.Step;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The migrate operations on one target, each returning a verdict with its evidence rows. */
final class Migrator {
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

    private static final List<String> STATUS_COLUMNS = List.of("version", "description", "state", "applied_at", "applied_by", "execution_ms", "note");
    private static final String TABLE_SIZE = "SELECT pg_size_pretty(pg_total_relation_size(c.oid)), c.reltuples::bigint FROM pg_class c WHERE c.oid = to_regclass(?)";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Migrator.class);
    /** How many pending/failed/changed/missing migrations the one-line verdict names before it says "and N more". */
    private static final int NOTABLE_IN_MESSAGE = 10;

    private final StepContext ctx;
    private final Step step;
    private final List<Migration> migrations;
    private final SchemaHistory history;
    private final MigrationSettings settings;

    Migrator(StepContext ctx, List<Migration> migrations, SchemaHistory history, MigrationSettings settings) {
        this.ctx = ctx;
        this.step = ctx.step();
        this.migrations = migrations;
        this.history = history;
        this.settings = settings;
    }

    StepOutcome run(String action) throws SQLException {
        return switch (action) {
            case "status" -> status(false);
            case "validate" -> status(true);
            case "lint" -> lint();
            case "up" -> locked(this::up);
            case "down" -> locked(this::down);
            case "baseline" -> locked(this::baseline);
            case "repair" -> locked(this::repair);
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
        Map<String, SchemaHistory.Row> rows = new java.util.LinkedHashMap<>();
        ctx.inTransaction(true, c -> {
            history.read(c).forEach(r -> rows.put(r.version(), r));
            return null;
        });
        return rows;
    }

    private String baselineVersion(Map<String, SchemaHistory.Row> rows) {
        return rows.values().stream().filter(r -> r.kind().equals("baseline")).map(SchemaHistory.Row::version).findFirst().orElse(null);
    }

    private StepOutcome status(boolean validate) throws SQLException {
        long t0 = System.nanoTime();
        Map<String, SchemaHistory.Row> rows = readHistory();
        long t1 = System.nanoTime();
        String baseline = baselineVersion(rows);
        Map<String, Migration> files = new HashMap<>();
        migrations.forEach(m -> files.put(m.version(), m));
        // Applied rows are only counted: with a thousand of them, the reader needs the few that are not.
        List<List<Object>> out = new ArrayList<>();
        List<String> notable = new ArrayList<>();
        int applied = 0, pending = 0, failed = 0, changed = 0, missing = 0, belowBaseline = 0;
        for (Migration m : migrations) {
            SchemaHistory.Row r = rows.get(m.version());
            if (r == null) {
                if (baseline != null && Migration.compareVersions(m.version(), baseline) <= 0) {
                    belowBaseline++;
                } else {
                    pending++;
                    out.add(row(m.version(), m.description(), "pending", null, m.upFile().getFileName().toString()));
                    notable.add("pending " + m.upFile().getFileName());
                }
            } else if (r.kind().equals("baseline") || (r.success() && m.checksum().equals(r.checksum()))) {
                applied++;
            } else if (!r.success()) {
                failed++;
                out.add(row(m.version(), m.description(), "failed", r, r.error()));
                notable.add("failed " + m.version() + ": " + r.error());
            } else {
                changed++;
                String note = m.upFile().getFileName() + " differs from what was applied (sha256 " + abbrev(r.checksum()) + " applied, "
                        + abbrev(m.checksum()) + " now)";
                out.add(row(m.version(), m.description(), "changed", r, note));
                notable.add("changed " + note);
            }
        }
        for (SchemaHistory.Row r : rows.values()) {
            if (files.containsKey(r.version())) {
                continue;
            }
            if (r.kind().equals("baseline")) {
                applied++;
            } else if (!r.success()) {
                failed++;
                out.add(row(r.version(), r.description(), "failed", r, r.error()));
                notable.add("failed " + r.version() + " (no file): " + r.error());
            } else {
                missing++;
                out.add(row(r.version(), r.description(), "missing", r, "in the history but no file VERSION_description.up.sql has this version"));
                notable.add("missing " + r.version() + " (applied, no file)");
            }
        }
        out.sort((a, b) -> Migration.compareVersions((String) a.get(0), (String) b.get(0)));
        String summary = applied + " applied, " + pending + " pending, " + failed + " failed, " + changed + " changed, " + missing + " missing"
                + (belowBaseline > 0 ? ", " + belowBaseline + " below the baseline " + baseline : "");
        String detail = notable.isEmpty() ? "" : "; " + String.join("; ", notable.subList(0, Math.min(NOTABLE_IN_MESSAGE, notable.size())))
                + (notable.size() > NOTABLE_IN_MESSAGE ? "; and " + (notable.size() - NOTABLE_IN_MESSAGE) + " more (see the rows)" : "");
        Evidence ev = new Evidence(validate ? "no failed, changed or missing migrations" : null, summary, STATUS_COLUMNS, out, out.size());
        LOG.debug("migrate {}: {} file(s) and {} history row(s); history read in {} ms, compared in {} ms", validate ? "validate" : "status",
                migrations.size(), rows.size(), (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        boolean drift = failed + changed + missing > 0;
        if (validate) {
            return StepOutcome.verdict(drift ? Status.FAIL : Status.PASS, (drift ? "drift: " : "history matches the files: ") + summary + detail, ev);
        }
        return StepOutcome.verdict(drift ? Status.WARN : Status.PASS, summary + detail, ev);
    }

    private static List<Object> row(String version, String description, String state, SchemaHistory.Row r, String note) {
        return Arrays.asList(version, description, state, r == null ? null : r.appliedAt(), r == null ? null : r.appliedBy(),
                r == null ? null : r.executionMs(), note);
    }

    private static String abbrev(String checksum) {
        return checksum == null ? "none" : checksum.substring(0, Math.min(12, checksum.length()));
    }

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

    private StepOutcome lint() throws SQLException {
        List<Linter.Finding> findings = new ArrayList<>();
        for (Migration m : migrations) {
            findings.addAll(Linter.lint(m.upFile(), SqlScript.split(m.upSql()), false));
        }
        return lintVerdict(findings, "all migrations");
    }

    private StepOutcome lintVerdict(List<Linter.Finding> findings, String what) throws SQLException {
        List<List<Object>> rows = findingRows(findings);
        Evidence ev = new Evidence("no unsafe statements", findings.size() + " finding(s)",
                List.of("file", "line", "severity", "rule", "table_size", "why", "safer"), rows, rows.size());
        if (findings.isEmpty()) {
            return StepOutcome.verdict(Status.PASS, "lint: nothing unsafe in " + what, ev);
        }
        return StepOutcome.verdict(settings.safe() ? Status.FAIL : Status.WARN, "lint: " + findings.size() + " finding(s) in " + what
                + "; fix them or silence one with '-- pgrunbook:allow RULE reason' above the statement", ev);
    }

    private List<List<Object>> findingRows(List<Linter.Finding> findings) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        for (Linter.Finding f : findings) {
            rows.add(Arrays.asList(f.file().getFileName().toString(), f.line(), f.rule().severity(), f.rule().id(),
                    f.table() == null ? null : tableSize(f.table()), f.rule().why(), f.rule().rewrite()));
        }
        return rows;
    }

    /** How big the affected table is, so a reader can judge the lock: "12 MB, ~80000 rows", or "new" when it does not exist yet. */
    private String tableSize(String table) throws SQLException {
        return ctx.inTransaction(true, c -> {
            try (PreparedStatement ps = c.prepareStatement(TABLE_SIZE)) {
                ps.setString(1, table.toLowerCase(java.util.Locale.ROOT).replace("\"", ""));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) + ", ~" + Math.max(0, rs.getLong(2)) + " rows" : "not there yet";
                }
            } catch (SQLException e) {
                return "unknown";
            }
        });
    }

    private StepOutcome up() throws SQLException {
        MigrationInProgressGuard.awaitNone(ctx, migrations, settings.lockWait());
        Map<String, SchemaHistory.Row> rows = readHistory();
        List<String> blocking = new ArrayList<>();
        for (SchemaHistory.Row r : rows.values()) {
            if (!r.success() && !r.transactional()) {
                blocking.add(r.version() + " (" + r.error() + ")");
            }
            Migration m = migrations.stream().filter(x -> x.version().equals(r.version())).findFirst().orElse(null);
            if (r.success() && r.kind().equals("migration") && m != null && !m.checksum().equals(r.checksum())) {
                blocking.add(r.version() + ": " + m.upFile().getFileName() + " changed since it was applied");
            }
        }
        if (!blocking.isEmpty()) {
            return StepOutcome.verdict(Status.FAIL, "not applying anything: " + String.join("; ", blocking)
                    + ". Look at the database, then 'pgrunbook migrate repair' to accept its state", Evidence.none());
        }
        List<Migration> todo = pending(rows);
        List<Linter.Finding> findings = new ArrayList<>();
        for (Migration m : todo) {
            findings.addAll(Linter.lint(m.upFile(), SqlScript.split(m.upSql()), false));
        }
        List<List<Object>> out = new ArrayList<>();
        for (List<Object> f : findingRows(findings)) {
            out.add(Arrays.asList("lint", f.get(0) + ":" + f.get(1), "[" + f.get(2) + " " + f.get(3) + "] " + f.get(5)
                    + (f.get(4) == null ? "" : " (table: " + f.get(4) + ")") + "; safer: " + f.get(6), null));
        }
        if (settings.safe() && !findings.isEmpty()) {
            return StepOutcome.verdict(Status.FAIL, "--safe: " + findings.size() + " lint finding(s); nothing was applied. Fix them or "
                    + "silence one with '-- pgrunbook:allow RULE reason'", evidence(out, todo.size(), 0));
        }
        int done = 0;
        int retries = 0;
        List<String> createdIndexes = new ArrayList<>();
        for (Migration m : todo) {
            if (ctx.isCancelled()) {
                break;
            }
            List<SqlScript.Statement> statements = SqlScript.split(m.upSql());
            MigrationExecutor.Result r = MigrationExecutor.run(ctx, history, m, true, statements, settings,
                    line -> out.add(Arrays.asList("retry", m.version(), line, null)));
            if (!r.success()) {
                out.add(Arrays.asList("failed", m.version(), r.error(), r.millis()));
                int left = todo.size() - done - 1;
                String state = state(r);
                return StepOutcome.verdict(Status.FAIL, "migration " + m.version() + " failed: " + r.error() + ". " + done + " applied before it; "
                        + m.version() + " " + state + "; " + left + " not run", evidence(out, todo.size(), done));
            }
            done++;
            retries += r.retries();
            createdIndexes.addAll(MigrationExecutor.createdIndexes(statements));
            out.add(Arrays.asList("applied", m.version(), m.description() + (r.transactional() ? "" : " (outside a transaction)"), r.millis()));
        }
        List<String> problems = verify(createdIndexes);
        if (!problems.isEmpty()) {
            return StepOutcome.verdict(Status.FAIL, done + " applied, but verification failed: " + String.join("; ", problems),
                    evidence(out, todo.size(), done));
        }
        String msg = todo.isEmpty() ? "up to date: nothing to apply" : done + " of " + todo.size() + " applied"
                + (createdIndexes.isEmpty() ? "" : "; " + createdIndexes.size() + " index(es) verified valid")
                + (retries == 0 ? "" : "; " + retries + " retry(ies) after lock_timeout, each shown in the rows");
        Status s = !findings.isEmpty() ? Status.WARN : done == todo.size() ? Status.PASS : Status.FAIL;
        return StepOutcome.verdict(s, findings.isEmpty() ? msg : msg + "; " + findings.size() + " lint finding(s)", evidence(out, todo.size(), done));
    }

    private static Evidence evidence(List<List<Object>> rows, int todo, int done) {
        return new Evidence(null, done + " of " + todo + " applied", List.of("event", "version", "detail", "ms"), rows, rows.size());
    }

    /** After up: every index the migrations created exists and is valid. */
    private List<String> verify(List<String> indexes) throws SQLException {
        if (indexes.isEmpty()) {
            return List.of();
        }
        return ctx.inTransaction(true, c -> {
            List<String> problems = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT n, (SELECT bool_and(i.indisvalid) FROM pg_class x JOIN pg_index i ON i.indexrelid = x.oid WHERE x.relname = n) "
                            + "FROM unnest(?::text[]) AS n")) {
                ps.setArray(1, c.createArrayOf("text", indexes.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Object valid = rs.getObject(2);
                        if (valid == null) {
                            problems.add("index " + rs.getString(1) + " does not exist");
                        } else if (!rs.getBoolean(2)) {
                            problems.add("index " + rs.getString(1) + " is INVALID (remove with DROP INDEX CONCURRENTLY " + rs.getString(1) + ")");
                        }
                    }
                }
            }
            return problems;
        });
    }

    private StepOutcome down() throws SQLException {
        Map<String, SchemaHistory.Row> rows = readHistory();
        List<Migration> applied = new ArrayList<>();
        for (Migration m : migrations) {
            SchemaHistory.Row r = rows.get(m.version());
            if (r != null && r.success() && r.kind().equals("migration")) {
                applied.add(0, m);
            }
        }
        String to = MigrateStep.opt(step, MigrateStep.TO);
        Object stepsParam = step.with().get(MigrateStep.STEPS);
        List<Migration> todo = new ArrayList<>();
        if (to != null) {
            if (!rows.containsKey(to) && migrations.stream().noneMatch(m -> m.version().equals(MigrationDirectory.canonical(to)))) {
                return StepOutcome.verdict(Status.ERROR, "down --to " + to + ": no such version in the files or the history", Evidence.none());
            }
            applied.stream().filter(m -> Migration.compareVersions(m.version(), to) > 0).forEach(todo::add);
        } else {
            int n = stepsParam instanceof Number x ? x.intValue() : 1;
            todo.addAll(applied.subList(0, Math.min(n, applied.size())));
        }
        for (SchemaHistory.Row r : rows.values()) {
            if (r.success() && r.kind().equals("migration") && migrations.stream().noneMatch(m -> m.version().equals(r.version()))
                    && (to == null || Migration.compareVersions(r.version(), to) > 0)) {
                return StepOutcome.verdict(Status.ERROR, "cannot roll back version " + r.version() + ": it is in the history but its file is missing",
                        Evidence.none());
            }
        }
        List<String> noDown = todo.stream().filter(m -> !m.hasDown()).map(m -> m.version() + " (" + m.upFile().getFileName() + ")").toList();
        if (!noDown.isEmpty()) {
            return StepOutcome.verdict(Status.FAIL, "refusing to roll back: no down part for " + String.join(", ", noDown)
                    + "; add VERSION_description.down.sql, or roll forward with a new migration. Nothing was rolled back", Evidence.none());
        }
        List<List<Object>> out = new ArrayList<>();
        int done = 0;
        for (Migration m : todo) {
            MigrationExecutor.Result r = MigrationExecutor.run(ctx, history, m, false, SqlScript.split(m.downSql()), settings,
                    line -> out.add(Arrays.asList("retry", m.version(), line, null)));
            if (!r.success()) {
                out.add(Arrays.asList("failed", m.version(), r.error(), r.millis()));
                return StepOutcome.verdict(Status.FAIL, "rolling back " + m.version() + " failed: " + r.error() + "; " + done
                        + " rolled back before it; " + m.version() + " is still recorded as applied", evidence(out, todo.size(), done));
            }
            done++;
            out.add(Arrays.asList("rolled back", m.version(), m.description(), r.millis()));
        }
        return StepOutcome.verdict(Status.PASS, todo.isEmpty() ? "nothing to roll back" : done + " rolled back", evidence(out, todo.size(), done));
    }

    private StepOutcome baseline() throws SQLException {
        String version = MigrationDirectory.canonical(MigrateStep.opt(step, MigrateStep.VERSION));
        Map<String, SchemaHistory.Row> rows = readHistory();
        if (!rows.isEmpty()) {
            return StepOutcome.verdict(Status.FAIL, "baseline refused: the history table " + history.table() + " already has " + rows.size()
                    + " row(s); baseline only adopts a database that has none", Evidence.none());
        }
        Migration m = migrations.stream().filter(x -> x.version().equals(version)).findFirst()
                .orElse(new Migration(version, "baseline", null, null, null, null, null));
        ctx.withoutTransaction(c -> {
            history.record(c, new Migration(version, m.description(), null, null, null, null, m.checksum()), "baseline", true, 0L, true, null);
            return null;
        });
        return StepOutcome.verdict(Status.PASS, "baselined at version " + version + ": migrations up to it count as applied", Evidence.none());
    }

    private StepOutcome repair() throws SQLException {
        Map<String, SchemaHistory.Row> rows = readHistory();
        List<List<Object>> out = new ArrayList<>();
        List<String> invalid = ctx.inTransaction(true, c -> {
            List<String> names = new ArrayList<>();
            for (Migration m : migrations) {
                names.addAll(MigrationExecutor.createdIndexes(SqlScript.split(m.upSql())));
            }
            return MigrationExecutor.invalidIndexes(c, names);
        });
        if (!invalid.isEmpty()) {
            return StepOutcome.verdict(Status.FAIL, "repair refused: INVALID index(es) left by a failed CONCURRENTLY build: " + String.join(", ", invalid)
                    + "; remove them first with " + String.join("; ", invalid.stream().map(i -> "DROP INDEX CONCURRENTLY IF EXISTS " + i).toList()),
                    Evidence.none());
        }
        ctx.withoutTransaction(c -> {
            for (SchemaHistory.Row r : rows.values()) {
                Migration m = migrations.stream().filter(x -> x.version().equals(r.version())).findFirst().orElse(null);
                if (!r.success()) {
                    history.delete(c, r.version());
                    out.add(Arrays.asList("removed failed row", r.version(), r.error()));
                } else if (m != null && r.kind().equals("migration") && !m.checksum().equals(r.checksum())) {
                    history.setChecksum(c, r.version(), m.checksum());
                    out.add(Arrays.asList("accepted changed file", r.version(), m.upFile().getFileName().toString()));
                }
            }
            return null;
        });
        return StepOutcome.verdict(Status.PASS, out.isEmpty() ? "nothing to repair" : out.size() + " history row(s) repaired",
                new Evidence(null, out.size() + " change(s)", List.of("action", "version", "detail"), out, out.size()));
    }
}
