package io.pgrunbook.cli;

import static io.pgrunbook.cli.MigrateFaultsIntegrationTest.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code migrate lint}: a pure file check without a database, CI formats, and table sizes with one. */
@ExtendWith(TestPostgres.class)
class MigrateLintCommandTest {
    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("1_t.up.sql"), "CREATE TABLE t (a int);\n");
        Files.writeString(dir.resolve("2_idx.up.sql"), "-- an index\nCREATE INDEX t_a_idx ON t (a);\n");
    }

    @Test
    void withoutADatabaseItChecksTheFilesAloneAndNeverCutsTheAdvice() {
        // PGHOST points nowhere: a lint that tried to connect would exit 3.
        CliRun run = CliRun.run("migrate", "lint", "--dir", dir.toString(), "--no-color");
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.out.contains("2_idx.up.sql:2  HIGH  create-index-locks  (table t)"), run.out);
        assertTrue(run.out.contains("CREATE INDEX CONCURRENTLY (pgrunbook runs it outside a transaction for you)"), run.out);
        assertTrue(run.out.contains("1 finding(s) in 2 file(s): 1 high, 0 medium, 0 low; judged for PostgreSQL 17"), run.out);
        assertFalse(run.out.contains("…"), run.out);
        assertEquals(1, CliRun.run("migrate", "lint", "--dir", dir.toString(), "--safe").exitCode);
    }

    @Test
    void badUsageExitsTwoWithOneLine() {
        CliRun missing = CliRun.run("migrate", "lint", "--dir", dir.resolve("nope").toString());
        assertEquals(2, missing.exitCode, missing.toString());
        assertTrue(missing.err.contains("does not exist"), missing.toString());
        assertEquals(2, CliRun.run("migrate", "lint", "--dir", dir.toString(), "--pg-version", "seven").exitCode);
        assertEquals(2, CliRun.run("migrate", "lint", "--dir", dir.toString(), "--format", "yaml").exitCode);
    }

    @Test
    void sarifAndGithubAnnotationsForCi() throws Exception {
        CliRun sarif = CliRun.run("migrate", "lint", "--dir", dir.toString(), "--format", "sarif");
        assertEquals(0, sarif.exitCode, sarif.toString());
        JsonNode doc = new ObjectMapper().readTree(sarif.out);
        assertEquals("2.1.0", doc.get("version").asText());
        JsonNode result = doc.get("runs").get(0).get("results").get(0);
        assertEquals("create-index-locks", result.get("ruleId").asText());
        assertEquals("error", result.get("level").asText());
        assertEquals(2, result.at("/locations/0/physicalLocation/region/startLine").asInt());
        assertTrue(result.at("/locations/0/physicalLocation/artifactLocation/uri").asText().endsWith("/2_idx.up.sql"), sarif.out);
        assertEquals("create-index-locks", doc.at("/runs/0/tool/driver/rules/0/id").asText());
        CliRun gh = CliRun.run("migrate", "lint", "--dir", dir.toString(), "--format", "github");
        assertTrue(gh.out.lines().anyMatch(l -> l.startsWith("::error file=") && l.contains("2_idx.up.sql,line=2,title=pgrunbook create-index-locks::")),
                gh.out);
    }

    @Test
    void withADatabaseItAddsTheTableSizeAndJudgesForItsVersion() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_lint_db");
        exec(url, "CREATE TABLE t (a int)", "INSERT INTO t SELECT generate_series(1, 20000)", "ANALYZE t");
        CliRun run = CliRun.run("migrate", "lint", "--dir", dir.toString(), "--db", url, "--no-color");
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.out.matches("(?s).*\\(table t: \\d+ kB, ~20000 rows\\).*"), run.out);
        assertTrue(run.out.contains("judged for PostgreSQL 15"), run.out);
        CliRun json = CliRun.run("migrate", "lint", "--dir", dir.toString(), "--db", url, "--format", "json");
        assertTrue(json.out.contains("\"table_size\""), json.out);
    }
}
