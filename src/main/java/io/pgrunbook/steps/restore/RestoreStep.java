package io.pgrunbook.steps.restore;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.engine.StepType;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code type: restore}: a pgrunbook backup back into a database, verified first, with a safety
 * backup of what it replaces, an advisory lock per target database, and seed 003's restore
 * checklist as verdicts afterwards. Whole database (new, empty, or replaced with clean), some
 * tables' rows, or one tenant's rows. See {@link RestoreRun}.
 */
public final class RestoreStep implements StepType {

    @Override
    public String name() {
        return "restore";
    }

    @Override
    public String summary() {
        return "restore a verified backup (whole, tables or one tenant) with a safety backup first and the restore checklist after";
    }

    @Override
    public boolean writes() {
        return true;
    }

    /** A dry run only reads: the plan with row counts on both sides. */
    @Override
    public boolean writes(Step step) {
        return !Boolean.TRUE.equals(step.with().get("dry_run"));
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
        return RestoreOptions.PARAMETERS;
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        RestoreOptions.validate(step, problems);
    }

    @Override
    public List<String> describe(Step step) {
        RestoreOptions o = RestoreOptions.from(step.with());
        List<String> lines = new ArrayList<>();
        String backup = o.path() != null ? o.path() : "the newest backup in " + o.latest();
        lines.add("-- verify " + backup + ": manifest, every file's SHA-256, pg_restore --list" + (o.force() ? " (force: restored even if it fails)" : ""));
        lines.add("-- refuse a backup from a newer PostgreSQL than the target; take the advisory lock pgrunbook:restore:<database>");
        if (o.globals()) {
            lines.add("-- globals.sql: create the roles, memberships and tablespaces the server lacks (existing roles untouched)");
        }
        if (o.safetyBackup()) {
            lines.add("-- safety backup of what will be replaced (pg_dump, verified) into " + (o.safetyDir() != null ? o.safetyDir() : "<backup dir>/../pre-restore"));
        } else {
            lines.add("-- NO safety backup (safety_backup: false)");
        }
        if (o.tenant() != null) {
            lines.add("BEGIN; DELETE FROM <table> WHERE <tenant column> = '" + o.tenant() + "' (children first); COPY <table> FROM <backup rows> (parents first); COMMIT");
        } else if (!o.tables().isEmpty()) {
            lines.add("BEGIN; TRUNCATE ONLY " + String.join(", ", o.tables()) + "; COPY each FROM the archive; setval of their sequences; COMMIT");
        } else {
            lines.add("CREATE DATABASE <database> when it does not exist");
            lines.add("pg_restore --jobs=" + o.jobs() + (o.clean() ? " --clean --if-exists" : "") + (o.noOwner() ? " --no-owner --no-acl" : "")
                    + " --exit-on-error --dbname=" + (o.database() != null ? o.database() : "<target database>") + " <archive>");
        }
        lines.add("-- after: rows vs manifest, indexes, constraints, RLS enabled/forced, policies, sequences, newer migrations"
                + (o.amcheck() ? ", pg_amcheck where amcheck is installed" : ""));
        lines.add("-- run with dry_run: true (--dry-run) for the plan with row counts on both sides");
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        return new RestoreRun(context, RestoreOptions.from(context.step().with())).run();
    }
}
