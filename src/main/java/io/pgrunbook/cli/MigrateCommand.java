package io.pgrunbook.cli;

import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.Durations;
import io.pgrunbook.steps.migrate.MigrationSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "migrate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        header = "Versioned schema migrations that cannot run twice, cannot hang on a lock, and are linted before they run.",
        description = {
            "Files in DIR are named VERSION_description.up.sql with an optional VERSION_description.down.sql "
                    + "(e.g. 001_create_ext_storage_tables.up.sql). A history table records each version with a SHA-256 "
                    + "checksum (line endings normalised). An advisory lock keeps two runs apart; every migration runs with "
                    + "lock_timeout and statement_timeout set. See docs/migrate.md.",
            "",
            "Examples:",
            "  pgrunbook migrate status --dir runbooks/migrations --db postgres://ops@db1/app",
            "  pgrunbook migrate up --dir runbooks/migrations --safe --dry-run",
            "  pgrunbook migrate down --steps 1 --dir runbooks/migrations --yes",
            ""},
        subcommands = {MigrateCommand.Status.class, MigrateCommand.Up.class, MigrateCommand.Down.class, MigrateCommand.Validate.class,
                MigrateCommand.Baseline.class, MigrateCommand.Repair.class, MigrateLintCommand.class, MigrateCommand.Rehearse.class})
final class MigrateCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "name what to do: status, up, down, validate, baseline, repair, lint or rehearse (see --help)");
    }

    /** Options every migrate subcommand takes. */
    static final class Common {
        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "migrations",
                description = "The migrations directory (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--history-table", paramLabel = "SCHEMA.TABLE", defaultValue = "public.pgrunbook_schema_history",
                description = "The schema history table (default: ${DEFAULT-VALUE}).")
        String historyTable;

        @Option(names = "--dry-run", description = "Print the exact SQL in order with the timeouts it would set; connect to nothing.")
        boolean dryRun;
    }

    abstract static class Base implements Callable<Integer> {
        final AppEnvironment app;

        @Spec
        CommandSpec spec;

        @Mixin
        Common common;

        @Mixin
        VarOptions vars;

        @Mixin
        TargetOptions targets;

        @Mixin
        OutputOptions output;

        Base(AppEnvironment app) {
            this.app = app;
        }

        abstract String action();

        abstract void with(Map<String, Object> with);

        boolean writes() {
            return true;
        }

        boolean yes() {
            return false;
        }

        /** Step-level keys beside with:, e.g. the timeouts the plan's header shows. */
        void stepKeys(Map<String, Object> step) {}

        @Override
        public Integer call() {
            RunbookInvocation invocation = new RunbookInvocation(app, spec.commandLine().getOut(), spec.commandLine().getErr(), output, targets);
            invocation.previewHint("review 'pgrunbook migrate " + action() + " --dry-run'");
            Runbook runbook = runbook(invocation);
            if (common.dryRun) {
                return invocation.plan(invocation.withOverrides(runbook), false);
            }
            return invocation.run(runbook, false, yes());
        }

        /** The built-in runbook of this subcommand: one migrate (or migrate.check) step with the options as its keys. */
        Runbook runbook(RunbookInvocation invocation) {
            Map<String, Object> with = new LinkedHashMap<>();
            with.put("action", action());
            with.put("dir", common.dir.toString());
            String table = common.historyTable;
            int dot = table.indexOf('.');
            if (dot > 0) {
                with.put("history_schema", table.substring(0, dot));
                with.put("history_table", table.substring(dot + 1));
            } else {
                with.put("history_table", table);
            }
            with(with);
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("id", "migrate-" + action());
            step.put("name", "migrate " + action() + " (" + common.dir + ")");
            step.put("type", writes() ? "migrate" : "migrate.check");
            stepKeys(step);
            step.put("with", with);
            Map<String, Object> tree = new LinkedHashMap<>();
            tree.put("name", "migrate-" + action());
            if (!vars.sets.isEmpty()) {
                // The built-in runbook declares each --set so that migrations can use it as ${ident:NAME} / ${literal:NAME}.
                tree.put("vars", new LinkedHashMap<>(vars.sets));
            }
            tree.put("steps", List.of(step));
            return invocation.loadTree(tree, "built-in:migrate " + action(), vars.sets);
        }
    }

    abstract static class Writing extends Base {
        @Option(names = {"-y", "--yes"}, description = "Apply without asking (required when not on a terminal).")
        boolean yes;

        @Option(names = "--safe", description = "Lint findings stop the run before anything is applied; lock_timeout 2s; "
                + "retry a migration that hits lock_timeout with backoff (1s, 2s, 4s), reporting each retry.")
        boolean safe;

        @Option(names = "--lock-timeout", paramLabel = "DURATION", description = "lock_timeout for every migration (default 10s; 2s with --safe).")
        String lockTimeout;

        @Option(names = "--statement-timeout", paramLabel = "DURATION", description = "statement_timeout for every migration (default 30min).")
        String statementTimeout;

        @Option(names = "--lock-wait", paramLabel = "DURATION", description = "How long to wait for another migrate run to finish (default 10s); then exit 3 naming it.")
        String lockWait;

        @Option(names = "--retries", paramLabel = "N", description = "Retries after a lock_timeout (default 3 with --safe, else 0).")
        Integer retries;

        Writing(AppEnvironment app) {
            super(app);
        }

        @Override
        boolean yes() {
            return yes;
        }

        /** The step's own timeouts are the migrations' ones, so the plan's header says what the SQL below it sets. */
        @Override
        void stepKeys(Map<String, Object> step) {
            step.put("timeout", statementTimeout != null ? statementTimeout : Durations.show(MigrationSettings.DEFAULT_STATEMENT_TIMEOUT));
            step.put("lock_timeout", lockTimeout != null ? lockTimeout
                    : Durations.show(safe ? MigrationSettings.SAFE_LOCK_TIMEOUT : MigrationSettings.DEFAULT_LOCK_TIMEOUT));
        }

        @Override
        void with(Map<String, Object> with) {
            if (safe) {
                with.put("safe", true);
            }
            if (lockTimeout != null) {
                with.put("lock_timeout", lockTimeout);
            }
            if (statementTimeout != null) {
                with.put("statement_timeout", statementTimeout);
            }
            if (lockWait != null) {
                with.put("lock_wait", lockWait);
            }
            if (retries != null) {
                with.put("retries", retries);
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Applied, pending, failed, changed and missing migrations (--format json for JSON).")
    static final class Status extends Base {
        Status(AppEnvironment app) {
            super(app);
        }

        @Override
        String action() {
            return "status";
        }

        @Override
        boolean writes() {
            return false;
        }

        @Override
        void with(Map<String, Object> with) {}
    }

    @Command(name = "validate", mixinStandardHelpOptions = true, description = "Exit 1 when an applied file changed, a file is missing or a migration failed (--format json for JSON).")
    static final class Validate extends Base {
        Validate(AppEnvironment app) {
            super(app);
        }

        @Override
        String action() {
            return "validate";
        }

        @Override
        boolean writes() {
            return false;
        }

        @Override
        void with(Map<String, Object> with) {}
    }

    @Command(name = "rehearse", mixinStandardHelpOptions = true,
            description = "Apply the pending migrations to a throwaway copy of the target (its schema, the history and a sample of rows) "
                    + "in a local sandbox, and report per migration its duration, the locks it took on which tables, and the tables it "
                    + "rewrote. The target is only read.")
    static final class Rehearse extends Base {
        @Option(names = "--sample-rows", paramLabel = "N", description = "Rows copied per table (default 10000).")
        Integer sampleRows;

        Rehearse(AppEnvironment app) {
            super(app);
        }

        @Override
        String action() {
            return "rehearse";
        }

        @Override
        boolean writes() {
            return false;
        }

        @Override
        void with(Map<String, Object> with) {
            if (sampleRows != null) {
                with.put("sample_rows", sampleRows);
            }
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Apply pending migrations in version order, each in its own transaction (or marked, when it cannot have one).")
    static final class Up extends Writing {
        @Option(names = "--to", paramLabel = "VERSION", description = "Stop after this version.")
        String to;

        @Option(names = "--out-of-order", description = "Also apply pending versions below the highest applied one (refused by default); "
                + "recorded in the history as out of order.")
        boolean outOfOrder;

        @Option(names = "--pg-version", paramLabel = "VERSION", description = "The PostgreSQL version lint judges for (default: the target's).")
        String pgVersion;

        Up(AppEnvironment app) {
            super(app);
        }

        @Override
        String action() {
            return "up";
        }

        @Override
        void with(Map<String, Object> with) {
            super.with(with);
            if (to != null) {
                with.put("to", to);
            }
            if (outOfOrder) {
                with.put("out_of_order", true);
            }
            if (pgVersion != null) {
                with.put("pg_version", pgVersion);
            }
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Roll back applied migrations, newest first; refused when a down part is missing.")
    static final class Down extends Writing {
        @Option(names = "--to", paramLabel = "VERSION", description = "Roll back everything above this version (it stays applied); --to 0 rolls back all.")
        String to;

        @Option(names = "--steps", paramLabel = "N", description = "Roll back the newest N (default 1).")
        Integer steps;

        Down(AppEnvironment app) {
            super(app);
        }

        @Override
        String action() {
            return "down";
        }

        @Override
        void with(Map<String, Object> with) {
            super.with(with);
            if (to != null) {
                with.put("to", to);
            }
            if (steps != null) {
                with.put("steps", steps);
            }
        }
    }

    @Command(name = "baseline", mixinStandardHelpOptions = true, description = "Adopt an existing database: record VERSION as applied, and every version below it.")
    static final class Baseline extends Writing {
        @Option(names = "--version", paramLabel = "VERSION", required = true, description = "The version the database already has.")
        String version;

        Baseline(AppEnvironment app) {
            super(app);
        }

        @Override
        String action() {
            return "baseline";
        }

        @Override
        void with(Map<String, Object> with) {
            super.with(with);
            with.put("version", version);
        }
    }

    @Command(name = "repair", mixinStandardHelpOptions = true, description = "After a failure, once a person has looked: remove failed rows, accept changed checksums.")
    static final class Repair extends Writing {
        Repair(AppEnvironment app) {
            super(app);
        }

        @Override
        String action() {
            return "repair";
        }
    }
}
