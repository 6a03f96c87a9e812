package io.pgrunbook.steps.migrate;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** {@code down}: applied migrations rolled back newest first, refused as a whole when one has no down part. */
final class MigrationRollback {
    private MigrationRollback() {}

    /** The applied migrations a down with these options rolls back, newest first; "0" as {@code to} means all of them. */
    static List<Migration> chosen(List<Migration> migrations, Map<String, SchemaHistory.Row> rows, String to, Integer steps) {
        List<Migration> applied = new ArrayList<>();
        for (Migration m : migrations) {
            SchemaHistory.Row r = rows == null ? null : rows.get(m.version());
            if (rows == null || r != null && r.success() && r.kind().equals("migration")) {
                applied.add(0, m);
            }
        }
        if (to != null) {
            return applied.stream().filter(m -> Migration.compareVersions(m.version(), to) > 0).toList();
        }
        int n = steps == null ? 1 : steps;
        return applied.subList(0, Math.min(n, applied.size()));
    }

    static StepOutcome run(StepContext ctx, SchemaHistory history, List<Migration> migrations, Map<String, SchemaHistory.Row> rows,
                           String to, Integer steps, MigrationSettings settings) throws SQLException {
        if (to != null && !isZero(to) && !rows.containsKey(MigrationDirectory.canonical(to))
                && migrations.stream().noneMatch(m -> m.version().equals(MigrationDirectory.canonical(to)))) {
            return StepOutcome.verdict(Status.ERROR, "down --to " + to + ": no such version in the files or the history "
                    + "(--to 0 rolls everything back)", Evidence.none());
        }
        List<Migration> todo = chosen(migrations, rows, to == null ? null : MigrationDirectory.canonical(to), steps);
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
            if (ctx.isCancelled()) {
                break;
            }
            MigrationExecutor.Result r = MigrationExecutor.run(ctx, history, m, false, SqlScript.split(m.downSql(), m.downFile()), settings,
                    line -> out.add(Arrays.asList("retry", m.version(), line, null)));
            if (!r.success()) {
                out.add(Arrays.asList("failed", m.version(), r.error(), r.millis()));
                return StepOutcome.verdict(Status.FAIL, "rolling back " + m.version() + " failed: " + r.error() + "; " + done
                        + " rolled back before it; " + m.version() + " is still recorded as applied", Migrator.evidence(out, todo.size(), done));
            }
            done++;
            out.add(Arrays.asList("rolled back", m.version(), m.description(), r.millis()));
        }
        Status s = done == todo.size() ? Status.PASS : Status.FAIL;
        return StepOutcome.verdict(s, todo.isEmpty() ? "nothing to roll back" : done + " of " + todo.size() + " rolled back",
                Migrator.evidence(out, todo.size(), done));
    }

    static boolean isZero(String version) {
        return version.matches("0+(\\.0+)*");
    }
}
