package io.pgrunbook.steps.migrate;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.Step;
import java.util.ArrayList;
import java.util.List;

/** Lints a directory's migrations in version order with one {@link LintContext}, so later files are judged with what earlier ones did. */
public final class MigrationLint {
    private MigrationLint() {}

    public static List<Linter.Finding> lint(List<Migration> versioned, List<Migration> repeatables, int versionNum) {
        return lint(versioned, repeatables, versionNum, null);
    }

    /**
     * @param only the migrations whose findings are wanted (those about to run), or null for all; the others are
     *             still read, in order, for what they teach (a CHECK validated by an applied migration counts)
     */
    static List<Linter.Finding> lint(List<Migration> versioned, List<Migration> repeatables, int versionNum, java.util.Collection<Migration> only) {
        LintContext ctx = new LintContext(versionNum);
        List<Linter.Finding> out = new ArrayList<>();
        List<Migration> all = new ArrayList<>(versioned);
        all.addAll(repeatables);
        for (Migration m : all) {
            List<Linter.Finding> found = Linter.lint(m.upFile(), SqlScript.split(m.upSql(), m.upFile()), false, ctx);
            if (only == null || only.contains(m)) {
                out.addAll(found);
            }
        }
        return out;
    }

    /** {@code migrate lint} with no database: the files alone, judged for versionNum; a missing or misnamed directory throws. */
    public static io.pgrunbook.engine.StepOutcome offline(java.nio.file.Path dir, int versionNum, boolean safe) throws java.sql.SQLException {
        List<Migration> versioned = MigrationDirectory.read(dir, false);
        List<Migration> repeatables = MigrationDirectory.readRepeatables(dir);
        return LintRows.verdict(lint(versioned, repeatables, versionNum), null, versioned.size() + repeatables.size(), versionNum, safe);
    }

    /** The version the rules judge for: the step's pg_version, else the target's, else the newest. */
    static int version(Step step, StepContext ctx) {
        String given = MigrateStep.opt(step, MigrateStep.PG_VERSION);
        if (given != null) {
            return LintContext.parseVersion(given);
        }
        return ctx != null && ctx.server() != null ? ctx.server().versionNum() : LintContext.LATEST;
    }
}
