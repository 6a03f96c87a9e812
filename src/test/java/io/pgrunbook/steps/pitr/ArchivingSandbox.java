package io.pgrunbook.steps.pitr;

import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxArchive;
import io.pgrunbook.db.SandboxOptions;
import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

/** A real sandbox that archives its WAL with cp into a directory, for the PITR tests; runbooks run against it. */
class ArchivingSandbox implements AutoCloseable {
    static final StepRegistry REGISTRY = StepRegistry.load();

    final Sandbox sandbox;
    final Path archive;

    ArchivingSandbox(Path archive) {
        this(archive, Map.of());
    }

    ArchivingSandbox(Path archive, Map<String, String> settings) {
        this.archive = archive;
        SandboxOptions options = SandboxArchive.archivingTo(SandboxOptions.defaults().withoutPgStatStatements(), archive, Duration.ofSeconds(60));
        for (var e : settings.entrySet()) {
            options = options.withSetting(e.getKey(), e.getValue());
        }
        this.sandbox = Sandbox.start(options);
    }

    /** An already running sandbox whose archiving is set up otherwise (pgBackRest). */
    ArchivingSandbox(Sandbox sandbox) {
        this.sandbox = sandbox;
        this.archive = null;
    }

    String sql(String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(sandbox.jdbcUrl()); Statement s = c.createStatement()) {
            if (s.execute(query)) {
                try (ResultSet rs = s.getResultSet()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
            return null;
        }
    }

    private static final String LAST_ARCHIVED = "SELECT last_archived_wal FROM pg_stat_archiver";

    /**
     * Ends the current segment and waits until the server counts it archived; returns its name. The
     * file appears in the archive as soon as cp creates it, before cp ends and the server marks the
     * segment done (its .ready file renamed, then pg_stat_archiver updated): a check of the backlog in
     * between still sees it waiting.
     */
    String switchAndWait() throws Exception {
        String segment = sql("SELECT pg_walfile_name(pg_switch_wal())");
        awaitArchived(archive, segment);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        // Names order as the WAL does (a later segment, or a .backup file after this one, counts as past it).
        String last = sql(LAST_ARCHIVED);
        while (last == null || last.compareTo(segment) < 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(segment + " is in " + archive + " but the server has not counted it archived within 60 s");
            }
            Thread.sleep(20);
            last = sql(LAST_ARCHIVED);
        }
        return segment;
    }

    static void awaitArchived(Path dir, String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(dir.resolve(name))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " was not archived into " + dir + " within 60 s");
            }
            Thread.sleep(50);
        }
    }

    /** The server's clock now, in the form the drill takes (the markers are stamped by the same clock). */
    String now() throws SQLException {
        return sql("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
    }

    RunReport run(String yaml) {
        return run(yaml, sandbox.url());
    }

    static RunReport run(String yaml, String url) {
        Runbook runbook = new RunbookLoader(REGISTRY).parse(yaml, "t.yaml", Map.of(), Map.of());
        runbook = runbook.withTargetConnection(runbook.defaultTarget(), url);
        return new Engine(REGISTRY).run(runbook, new RunOptions(false, Map.of(), Map.of()), new Cancellation());
    }

    static StepResult step(String type, String with, String url) {
        return run("name: t\nsteps:\n  - id: s\n    type: " + type + "\n    timeout: 10min\n    with: " + with + "\n", url).steps().get(0);
    }

    StepResult step(String type, String with) {
        return step(type, with, sandbox.url());
    }

    @Override
    public void close() {
        sandbox.stop();
    }
}
