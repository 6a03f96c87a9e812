package io.pgrunbook.steps.checks;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxCrash;
import io.pgrunbook.db.SandboxOptions;
import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.error.ExitCode;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** check.amcheck on a server of its own: a sound database passes; an index page overwritten on disk fails, named. */
class AmcheckCheckIntegrationTest {
    static final StepRegistry REGISTRY = StepRegistry.load();
    static Sandbox server;

    @BeforeAll
    static void start() {
        server = Sandbox.start(SandboxOptions.defaults());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void aSoundDatabasePassesAndACorruptIndexPageFails() throws Exception {
        String url = server.jdbcUrl();
        String indexFile;
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION amcheck");
            s.execute("CREATE TABLE sound (id int PRIMARY KEY, v text)");
            s.execute("INSERT INTO sound SELECT g, md5(g::text) FROM generate_series(1, 5000) g");
            s.execute("CREATE TABLE hurt (id int PRIMARY KEY, v text)");
            s.execute("INSERT INTO hurt SELECT g, md5(g::text) FROM generate_series(1, 5000) g");
            try (ResultSet rs = s.executeQuery("SELECT pg_relation_filepath('hurt_pkey')")) {
                rs.next();
                indexFile = rs.getString(1);
            }
            s.execute("CHECKPOINT");
        }
        StepResult sound = step(run(url));
        assertThat(sound.status()).as(sound.message()).isEqualTo(Status.PASS);

        // Stop the server, overwrite the middle of the index's first leaf page (block 1), start it again.
        SandboxCrash.crash(server);
        try (RandomAccessFile f = new RandomAccessFile(server.dataDirectory().resolve(Path.of(indexFile)).toFile(), "rw")) {
            f.seek(8192 + 2048);
            f.write(new byte[2048]);
            f.seek(8192 + 4096);
            for (int i = 0; i < 512; i++) {
                f.writeInt(0x7f7f7f7f);
            }
        }
        SandboxCrash.restart(server);
        RunReport r = run(url);
        StepResult hurt = step(r);
        assertThat(hurt.status()).as(hurt.message()).isEqualTo(Status.FAIL);
        assertThat(hurt.evidence().rows().toString()).contains("hurt_pkey").doesNotContain("sound_pkey");
        assertThat(hurt.message()).contains("REINDEX");
        assertThat(r.exitCode()).isEqualTo(ExitCode.CHECK_FAILED);
    }

    @Test
    void withoutTheExtensionItIsSkippedWithTheReason() throws Exception {
        String db = "no_amcheck";
        try (Connection c = DriverManager.getConnection(server.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        StepResult s = step(run(server.jdbcUrl(db)));
        assertThat(s.status()).isEqualTo(Status.SKIP);
        assertThat(s.message()).contains("CREATE EXTENSION amcheck");
    }

    static RunReport run(String url) {
        Runbook runbook = new RunbookLoader(REGISTRY).parse("name: a\nsteps:\n  - id: a\n    type: check.amcheck\n    timeout: 2min\n"
                + "    with: { max_relations: 50, max_time: 60s }\n", "t.yaml", Map.of(), Map.of());
        runbook = runbook.withTargetConnection(runbook.defaultTarget(), url);
        return new Engine(REGISTRY).run(runbook, new RunOptions(false, Map.of(), Map.of()), new Cancellation());
    }

    static StepResult step(RunReport r) {
        return r.steps().get(0);
    }
}
