package io.pgrunbook.steps.migrate;

import io.pgrunbook.runbook.Step;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The --dry-run lines of a migrate step: the exact SQL in order with the timeouts it would set; reads files only. */
final class MigrationPlan {
    /** A migration that sets its own timeout overrides the one pgrunbook set: the plan says so. */
    private static final java.util.regex.Pattern OWN_TIMEOUT = java.util.regex.Pattern.compile(
            "^SET (?:LOCAL |SESSION )?(LOCK_TIMEOUT|STATEMENT_TIMEOUT|IDLE_IN_TRANSACTION_SESSION_TIMEOUT)\\b");

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
        Object steps = step.with().get(MigrateStep.STEPS);
        out.add("-- every migration runs with lock_timeout " + MigrationSettings.setting(s.lockTimeout()) + " and statement_timeout "
                + MigrationSettings.setting(s.statementTimeout()) + " (SET LOCAL in its transaction, or SET for one that runs outside a "
                + "transaction), unless its own SQL sets another, as noted below");
        out.add("-- which migrations run depends on the history: " + (up ? "those already applied are skipped"
                + (s.outOfOrder() ? "; versions below the highest applied are applied too (--out-of-order)"
                : "; a pending version below the highest applied is refused (--out-of-order allows it)")
                : "down runs newest first; listed here: " + (to != null ? "every migration above " + to
                + (MigrationRollback.isZero(to) ? " (all of them)" : "") : "the newest " + (steps == null ? 1 : steps))
                + ", assuming every file is applied"));
        out.add("-- safe: " + s.safe() + (s.safe() ? " (lint findings stop the run; " + s.retries() + " retries on lock timeout)" : ""));
        List<Migration> ordered = new ArrayList<>(migrations);
        if (!up) {
            ordered = new ArrayList<>(MigrationRollback.chosen(migrations, null, to == null ? null : MigrationDirectory.canonical(to),
                    steps instanceof Number n ? n.intValue() : null));
        } else {
            ordered.addAll(MigrationDirectory.readRepeatables(Path.of(MigrateStep.opt(step, MigrateStep.DIR))));
        }
        LintContext lint = new LintContext(MigrationLint.version(step, null));
        for (Migration m : ordered) {
            if (up && to != null && !m.repeatable() && Migration.compareVersions(m.version(), to) > 0) {
                continue;
            }
            String sql = up ? m.upSql() : m.downSql();
            Path file = up ? m.upFile() : m.downFile();
            if (sql == null) {
                out.add("-- " + m.version() + " " + m.description() + ": NO DOWN PART (rolling it back is refused)");
                continue;
            }
            List<SqlScript.Statement> statements;
            try {
                statements = SqlScript.split(sql, file);
            } catch (SqlScript.NotSqlException e) {
                out.add("-- " + m.version() + " " + m.description() + ": CANNOT RUN: " + e.getMessage());
                continue;
            }
            boolean tx = MigrationExecutor.transactional(statements, 0);
            out.add("");
            out.add("-- " + m.version() + " " + m.description() + " (" + file.getFileName() + ")"
                    + (tx ? ", in one transaction" : ", OUTSIDE a transaction (it has statements that refuse one); marked started first")
                    + (m.repeatable() ? "; repeatable: runs when its text differs from what the history recorded" : ""));
            for (SqlScript.Statement st : statements) {
                java.util.regex.Matcher own = OWN_TIMEOUT.matcher(st.normalized());
                if (own.find()) {
                    out.add("-- note: line " + st.line() + " sets " + own.group(1).toLowerCase(java.util.Locale.ROOT)
                            + " itself, overriding the value above from there on: " + st.text().replaceAll("\\s+", " "));
                }
            }
            for (Linter.Finding f : Linter.lint(file, statements, !up, lint)) {
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
