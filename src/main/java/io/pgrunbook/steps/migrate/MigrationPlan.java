package io.pgrunbook.steps.migrate;

import io.pgrunbook.runbook.Step;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The --dry-run lines of a migrate step: the exact SQL in order with the timeouts it would set; reads files only. */
final class MigrationPlan {
    private MigrationPlan() {}

    static List<String> describe(Step step) {
        List<String> out = new ArrayList<>();
        String action = MigrateStep.opt(step, MigrateStep.ACTION);
        MigrationSettings s = MigrateStep.settings(step);
        SchemaHistory history = MigrateStep.history(step);
        out.add("-- migrate " + action + " from " + MigrateStep.opt(step, MigrateStep.DIR) + "; history table " + history.table()
                + "; advisory lock '" + MigrationLock.name(history) + "' (session level, on its own idle connection; waits "
                + s.lockWait().toMillis() + " ms)");
        List<Migration> migrations;
        try {
            migrations = MigrationDirectory.read(Path.of(MigrateStep.opt(step, MigrateStep.DIR)));
        } catch (MigrationException e) {
            out.add("-- cannot read the migrations: " + e.getMessage());
            return out;
        }
        if (!"up".equals(action) && !"down".equals(action)) {
            out.add("-- " + migrations.size() + " migration file(s); " + action + " reads the history" + (action.equals("status")
                    || action.equals("validate") || action.equals("lint") ? " and changes nothing" : " and changes only the history table"));
            return out;
        }
        boolean up = "up".equals(action);
        String to = MigrateStep.opt(step, MigrateStep.TO);
        out.add("-- which migrations run depends on the history: those already applied are skipped" + (up ? "" : "; down runs newest first,"
                + (to != null ? " those above " + to : " the newest " + step.with().getOrDefault(MigrateStep.STEPS, 1) + " applied")));
        out.add("-- safe: " + s.safe() + (s.safe() ? " (lint findings stop the run; " + s.retries() + " retries on lock timeout)" : ""));
        List<Migration> ordered = new ArrayList<>(migrations);
        if (!up) {
            java.util.Collections.reverse(ordered);
        }
        for (Migration m : ordered) {
            if (up && to != null && Migration.compareVersions(m.version(), to) > 0) {
                continue;
            }
            String sql = up ? m.upSql() : m.downSql();
            Path file = up ? m.upFile() : m.downFile();
            if (sql == null) {
                out.add("-- " + m.version() + " " + m.description() + ": NO DOWN PART (rolling it back is refused)");
                continue;
            }
            List<SqlScript.Statement> statements = SqlScript.split(sql);
            boolean tx = MigrationExecutor.transactional(statements, 0);
            out.add("");
            out.add("-- " + m.version() + " " + m.description() + " (" + file.getFileName() + ")"
                    + (tx ? ", in one transaction" : ", OUTSIDE a transaction (it has statements that refuse one); marked started first"));
            for (Linter.Finding f : Linter.lint(file, statements, !up)) {
                out.add("-- lint: " + f.describe());
            }
            out.add(tx ? "BEGIN;" : "-- autocommit");
            out.add((tx ? "SET LOCAL" : "SET") + " lock_timeout = '" + MigrationSettings.setting(s.lockTimeout()) + "';");
            out.add((tx ? "SET LOCAL" : "SET") + " statement_timeout = '" + MigrationSettings.setting(s.statementTimeout()) + "';");
            for (SqlScript.Statement st : statements) {
                out.addAll((st.text() + ";").lines().toList());
            }
            out.add("-- " + (up ? "record " + m.version() + " in " + history.table() : "delete " + m.version() + " from " + history.table()));
            if (tx) {
                out.add("COMMIT;");
            }
        }
        return out;
    }
}
