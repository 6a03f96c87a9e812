package io.pgrunbook.steps.migrate;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.engine.StepType;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code type: migrate}: versioned migrations from a directory, with a schema history table, an
 * advisory lock, timeouts on every migration and a linter that runs before anything does.
 */
public class MigrateStep implements StepType {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MigrateStep.class);
    static final String ACTION = "action";
    static final String DIR = "dir";
    static final String TO = "to";
    static final String STEPS = "steps";
    static final String VERSION = "version";
    static final String SAFE = "safe";
    static final String LOCK_TIMEOUT = "lock_timeout";
    static final String STATEMENT_TIMEOUT = "statement_timeout";
    static final String LOCK_WAIT = "lock_wait";
    static final String RETRIES = "retries";
    static final String HISTORY_SCHEMA = "history_schema";
    static final String HISTORY_TABLE = "history_table";
    static final String PG_VERSION = "pg_version";
    static final String OUT_OF_ORDER = "out_of_order";
    static final Set<String> WRITING_ACTIONS = Set.of("up", "down", "baseline", "repair");
    static final Set<String> READING_ACTIONS = Set.of("status", "validate", "lint", "rehearse");
    static final String SAMPLE_ROWS = "sample_rows";

    /** The actions this type runs: those that write for {@code migrate}, those that only read for {@code migrate.check}. */
    Set<String> actions() {
        return WRITING_ACTIONS;
    }

    @Override
    public String name() {
        return "migrate";
    }

    @Override
    public String summary() {
        return "apply or roll back versioned migrations (up, down, baseline, repair) with history, lock, timeouts and lint";
    }

    @Override
    public boolean writes() {
        return true;
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
                ParamSpec.required(ACTION, ValueKind.STRING, String.join(", ", new java.util.TreeSet<>(actions()))),
                ParamSpec.required(DIR, ValueKind.STRING, "the migrations directory (VERSION_description.up.sql / .down.sql)"),
                ParamSpec.optional(TO, ValueKind.STRING, "up: apply up to this version; down: roll back to it (kept)"),
                ParamSpec.optional(STEPS, ValueKind.INTEGER, "down: how many migrations to roll back (default 1)"),
                ParamSpec.optional(VERSION, ValueKind.STRING, "baseline: the version the existing database already has"),
                ParamSpec.optional(SAFE, ValueKind.BOOLEAN, "lint findings fail before anything runs; lock_timeout 2s; retry on lock timeout"),
                ParamSpec.optional(LOCK_TIMEOUT, ValueKind.DURATION, "lock_timeout for every migration (default 10s, 2s with safe)"),
                ParamSpec.optional(STATEMENT_TIMEOUT, ValueKind.DURATION, "statement_timeout for every migration (default 30min)"),
                ParamSpec.optional(LOCK_WAIT, ValueKind.DURATION, "how long to wait for another migrate run's lock (default 10s)"),
                ParamSpec.optional(RETRIES, ValueKind.INTEGER, "retries on lock timeout (default 3 with safe, else 0)"),
                ParamSpec.optional(HISTORY_SCHEMA, ValueKind.STRING, "schema of the history table (default public)"),
                ParamSpec.optional(HISTORY_TABLE, ValueKind.STRING, "name of the history table (default pgrunbook_schema_history)"),
                ParamSpec.optional(PG_VERSION, ValueKind.STRING, "the PostgreSQL version lint judges for, e.g. 11 (default: the target's)"),
                ParamSpec.optional(SAMPLE_ROWS, ValueKind.INTEGER, "rehearse: rows copied per table into the sandbox (default 10000)"),
                ParamSpec.optional(OUT_OF_ORDER, ValueKind.BOOLEAN, "up: also apply versions below the highest applied (recorded as out of order)"));
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        Object action = step.with().get(ACTION);
        if (action != null && !actions().contains(action.toString())) {
            problems.add(step.location(), name() + " action '" + action + "' is not one of " + String.join(", ", new java.util.TreeSet<>(actions()))
                    + (READING_ACTIONS.contains(action.toString()) ? " (use type migrate.check, which only reads)"
                    : WRITING_ACTIONS.contains(action.toString()) ? " (use type migrate, which writes)" : ""));
        }
        if ("baseline".equals(action) && step.with().get(VERSION) == null) {
            problems.add(step.location(), "migrate action baseline needs version: the version the database already has");
        }
        if (step.with().get(PG_VERSION) != null) {
            try {
                LintContext.parseVersion(String.valueOf(step.with().get(PG_VERSION)));
            } catch (IllegalArgumentException e) {
                problems.add(step.location(), "migrate pg_version: " + e.getMessage());
            }
        }
        if (step.with().get(TO) != null && step.with().get(STEPS) != null) {
            problems.add(step.location(), "migrate: give either to or steps, not both");
        }
    }

    static MigrationSettings settings(Step step) {
        boolean safe = Boolean.TRUE.equals(step.with().get(SAFE));
        Duration lock = (Duration) step.with().getOrDefault(LOCK_TIMEOUT, safe ? MigrationSettings.SAFE_LOCK_TIMEOUT : MigrationSettings.DEFAULT_LOCK_TIMEOUT);
        Duration statement = (Duration) step.with().getOrDefault(STATEMENT_TIMEOUT, MigrationSettings.DEFAULT_STATEMENT_TIMEOUT);
        Duration wait = (Duration) step.with().getOrDefault(LOCK_WAIT, MigrationSettings.DEFAULT_LOCK_WAIT);
        Object r = step.with().get(RETRIES);
        int retries = r instanceof Number n ? n.intValue() : safe ? MigrationSettings.SAFE_RETRIES : 0;
        return new MigrationSettings(lock, statement, safe, retries, wait, Boolean.TRUE.equals(step.with().get(OUT_OF_ORDER)));
    }

    static SchemaHistory history(Step step) {
        return new SchemaHistory(String.valueOf(step.with().getOrDefault(HISTORY_SCHEMA, "public")),
                String.valueOf(step.with().getOrDefault(HISTORY_TABLE, "pgrunbook_schema_history")));
    }

    @Override
    public List<String> describe(Step step) {
        return MigrationPlan.describe(step);
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        Step step = context.step();
        try {
            long start = System.nanoTime();
            Path dir = Path.of(String.valueOf(step.with().get(DIR)));
            List<Migration> migrations = MigrationDirectory.read(dir);
            List<Migration> repeatables = MigrationDirectory.readRepeatables(dir);
            LOG.debug("migrate: {} migration file(s) read and hashed in {} ms", migrations.size(), (System.nanoTime() - start) / 1_000_000);
            return new Migrator(context, migrations, repeatables, history(step), settings(step)).run(String.valueOf(step.with().get(ACTION)));
        } catch (MigrationException e) {
            return StepOutcome.verdict(Status.ERROR, e.getMessage(), Evidence.none());
        }
    }

    static String opt(Step step, String key) {
        Object v = step.with().get(key);
        return v == null ? null : String.valueOf(v);
    }

    static List<String> lines(List<Linter.Finding> findings) {
        List<String> out = new ArrayList<>();
        findings.forEach(f -> out.add(f.describe()));
        return out;
    }
}
