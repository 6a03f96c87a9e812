package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgrunbook.testsupport.TestPostgres;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The run command end to end against a real server: exit codes, formats, report files, confirmation. */
@ExtendWith(TestPostgres.class)
class CliRunTest {
    @TempDir
    static Path dir;
    static String db;
    static Path passing;
    static Path failing;
    static Path warning;
    static Path writing;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestPostgres.shared().createDatabase("cli");
        try (Connection c = DriverManager.getConnection(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE items (id int PRIMARY KEY, qty int)");
            st.execute("INSERT INTO items SELECT g, g * 10 FROM generate_series(1, 5) g");
        }
        passing = write("passing.yaml", """
                name: passing
                vars:
                  min_qty: 10
                steps:
                  - id: has-items
                    name: Items exist
                    sql: SELECT count(*) FROM items
                    expect: { value: { ge: 5 } }
                  - id: qty-positive
                    sql: SELECT id, qty FROM items WHERE qty >= :min_qty
                    expect: { each: { qty: { gt: 0 } } }
                """);
        failing = write("failing.yaml", """
                name: failing
                steps:
                  - id: ok
                    sql: SELECT 1
                  - id: too-few
                    name: At least 100 items
                    sql: SELECT id, qty FROM items WHERE qty < 30 ORDER BY id
                    expect: { rows: { ge: 100 } }
                    message: Fewer than 100 items; restock.
                """);
        warning = write("warning.yaml", """
                name: warning
                steps:
                  - id: ok
                    sql: SELECT 1
                  - id: big-qty
                    sql: SELECT id, qty FROM items ORDER BY id
                    expect: { each: { qty: { lt: 30 } } }
                    severity: warning
                """);
        writing = write("writing.yaml", """
                name: writing
                steps:
                  - id: create
                    type: sql.exec
                    sql: CREATE TABLE made_by_runbook (id int)
                """);
    }

    static Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void passingRunExitsZeroAndPrintsEachStep() {
        CliRun r = CliRun.run("run", passing.toString(), "--db", db);
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("PASS", "has-items", "Items exist", "qty-positive", "2 steps: 2 passed");
    }

    @Test
    void stepsRunOneAfterAnotherUseOneServerConnection() throws Exception {
        // Longer than the pool housekeeper's first pass (100 ms after start), which used to open a
        // second connection while a step held the first: a login and a backend in every run.
        StringBuilder steps = new StringBuilder("name: sequential\nsteps:\n");
        for (int i = 0; i < 15; i++) {
            steps.append("  - id: s").append(i).append("\n    sql: SELECT pg_sleep(0.02)\n");
        }
        Path sequential = write("sequential.yaml", steps.toString());
        try (Connection c = DriverManager.getConnection(db); Statement st = c.createStatement()) {
            long before = sessions(st);
            CliRun r = CliRun.run("run", sequential.toString(), "--db", db);
            assertThat(r.exitCode).as(r.toString()).isZero();
            long after = before;
            for (int wait = 0; wait < 50 && after == before; wait++) {
                Thread.sleep(100);
                after = sessions(st);
            }
            Thread.sleep(500);
            assertThat(sessions(st) - before).as("server sessions opened by a run of 15 sequential steps").isEqualTo(1);
        }
    }

    private static long sessions(Statement st) throws Exception {
        st.execute("SELECT pg_stat_clear_snapshot()");
        try (ResultSet rs = st.executeQuery("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void criticalFailureExitsOneWithEvidence() {
        CliRun r = CliRun.run("run", failing.toString(), "--db", db);
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.out).contains("FAIL", "too-few", "Fewer than 100 items; restock.", "expected: rows >= 100", "observed: 2 rows");
    }

    @Test
    void warningsAloneExitZero() {
        CliRun r = CliRun.run("run", warning.toString(), "--db", db);
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("WARN", "big-qty");
    }

    @Test
    void setOverridesAVariable() {
        CliRun r = CliRun.run("run", passing.toString(), "--db", db, "--set", "min_qty=40", "--format", "json");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("\"total_rows\": 2");
    }

    @Test
    void quietPrintsNothingWhenAllPassAndOnlyFailuresOtherwise() {
        CliRun ok = CliRun.run("run", passing.toString(), "--db", db, "-q");
        assertThat(ok.exitCode).isZero();
        assertThat(ok.out).isEmpty();
        assertThat(ok.err).isEmpty();

        CliRun bad = CliRun.run("run", failing.toString(), "--db", db, "-q");
        assertThat(bad.exitCode).isEqualTo(1);
        assertThat(bad.out).contains("too-few").doesNotContain("PASS");
    }

    @Test
    void aDeadTargetIsExplainedOnceNotOncePerStep() throws Exception {
        int dead;
        try (java.net.ServerSocket sock = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = sock.getLocalPort();
        }
        Path twoTargets = write("two-targets.yaml", """
                name: two-targets
                targets:
                  live: { url: "%s" }
                  gone: { url: "postgresql://postgres@127.0.0.1:%d/x?connect_timeout=2" }
                steps:
                  - { id: ok, target: live, sql: SELECT 1 }
                  - { id: g1, target: gone, sql: SELECT 1 }
                  - { id: g2, target: gone, sql: SELECT 2 }
                  - { id: g3, target: gone, sql: SELECT 3 }
                """.formatted(db, dead));
        CliRun r = CliRun.run("run", twoTargets.toString());
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.out.split("SQLSTATE 08001", -1)).as(r.out).hasSize(2);
        assertThat(r.out).contains("target 'gone' is unavailable (the reason is under step 'g1')");
    }

    @Test
    void quietChangesStdoutOnlyAReportFileHoldsEveryStep(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path text = tmp.resolve("new/dir/report.txt");
        CliRun bad = CliRun.run("run", failing.toString(), "--db", db, "-q", "--report", "text=" + text);
        assertThat(bad.exitCode).isEqualTo(1);
        assertThat(bad.out).doesNotContain("PASS");
        assertThat(Files.readString(text)).contains("PASS", "ok", "too-few");
    }

    @Test
    void junitOutputValidatesAgainstTheSchema() throws Exception {
        CliRun r = CliRun.run("run", failing.toString(), "--db", db, "--format", "junit");
        assertThat(r.exitCode).isEqualTo(1);
        SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        factory.newSchema(getClass().getResource("/junit.xsd")).newValidator().validate(new StreamSource(new StringReader(r.out)));
        assertThat(r.out).contains("<testsuite", "tests=\"2\"", "failures=\"1\"", "<failure");
    }

    @Test
    void jsonOutputIsTheDocumentedReport() throws Exception {
        CliRun r = CliRun.run("run", failing.toString(), "--db", db, "--format", "json");
        JsonNode json = new ObjectMapper().readTree(r.out);
        assertThat(json.get("schema").asText()).isEqualTo("pgrunbook.report/v1");
        assertThat(json.get("exit_code").asInt()).isEqualTo(1);
        assertThat(json.get("steps")).hasSize(2);
        JsonNode failed = json.get("steps").get(1);
        assertThat(failed.get("status").asText()).isEqualTo("fail");
        assertThat(failed.get("evidence").get("rows")).hasSize(2);
        assertThat(json.get("targets").get(0).get("server_version").asText()).startsWith("PostgreSQL ");
    }

    @Test
    void oneRunPrintsTextAndWritesSeveralReports() throws Exception {
        Path junit = dir.resolve("out.xml");
        Path json = dir.resolve("out.json");
        Path prom = dir.resolve("out.prom");
        CliRun r = CliRun.run("run", passing.toString(), "--db", db, "--report", "junit=" + junit, "--report", "json=" + json,
                "--report", "prometheus=" + prom);
        assertThat(r.exitCode).isZero();
        assertThat(r.out).contains("PASS");
        assertThat(Files.readString(junit)).contains("<testsuites");
        assertThat(new ObjectMapper().readTree(json.toFile()).get("status").asText()).isEqualTo("pass");
        assertThat(Files.readString(prom)).contains("pgrunbook_last_success_timestamp_seconds{runbook=\"passing\"}");
    }

    @Test
    void reportsAreWrittenEvenWhenTheTargetCannotBeReached() throws Exception {
        Path junit = dir.resolve("unreachable.xml");
        CliRun r = CliRun.run("run", passing.toString(), "--db", "postgres://postgres@127.0.0.1:1/nowhere", "--report", "junit=" + junit);
        assertThat(r.exitCode).as(r.toString()).isEqualTo(3);
        assertThat(r.out).contains("cannot connect to target 'default'", "127.0.0.1:1");
        assertThat(Files.readString(junit)).contains("<error");
    }

    @Test
    void threeMistakesAreThreeLocatedErrorsAndExit2() throws Exception {
        Path bad = write("bad.yaml", """
                name: bad
                stpes: []
                steps:
                  - id: a
                    sql: SELECT :undefined_var
                  - id: a
                    sql: SELECT 1
                """);
        CliRun r = CliRun.run("run", bad.toString(), "--db", db);
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("3 problems")
                .contains(bad + ":2:1: unknown key 'stpes'", "did you mean 'steps'?")
                .contains(bad + ":5:17: undefined variable ':undefined_var'")
                .contains(bad + ":6:9: duplicate step id 'a'")
                .doesNotContain("Exception");
    }

    @Test
    void dryRunPrintsThePlanAndConnectsToNothing() {
        CliRun r = CliRun.run("run", passing.toString(), "--db", "postgres://ops@127.0.0.1:1/nowhere", "--dry-run");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("Plan for runbook 'passing'", "has-items", "SELECT count(*) FROM items",
                "bind :min_qty = 10", "postgresql://ops@127.0.0.1:1/nowhere", "read-only");
        CliRun plan = CliRun.run("plan", writing.toString());
        assertThat(plan.exitCode).isZero();
        assertThat(plan.out).contains("WRITES", "CREATE TABLE made_by_runbook");
    }

    @Test
    void writingStepsNeedYesWhenNotOnATerminal() throws Exception {
        CliRun refused = CliRun.run("run", writing.toString(), "--db", db);
        assertThat(refused.exitCode).isEqualTo(2);
        assertThat(refused.err).contains("--yes", "create");
        assertThat(tableExists("made_by_runbook")).isFalse();

        CliRun declined = CliRun.run(Map.of(), true, "n\n", "run", writing.toString(), "--db", db);
        assertThat(declined.exitCode).isEqualTo(2);
        assertThat(declined.err).contains("not confirmed");
        assertThat(tableExists("made_by_runbook")).isFalse();

        CliRun confirmed = CliRun.run(Map.of(), true, "y\n", "run", writing.toString(), "--db", db);
        assertThat(confirmed.exitCode).as(confirmed.toString()).isZero();
        assertThat(tableExists("made_by_runbook")).isTrue();
        try (Connection c = DriverManager.getConnection(db); Statement st = c.createStatement()) {
            st.execute("DROP TABLE made_by_runbook");
        }
        CliRun yes = CliRun.run("run", writing.toString(), "--db", db, "--yes");
        assertThat(yes.exitCode).as(yes.toString()).isZero();
        assertThat(tableExists("made_by_runbook")).isTrue();
        try (Connection c = DriverManager.getConnection(db); Statement st = c.createStatement()) {
            st.execute("DROP TABLE made_by_runbook");
        }
    }

    @Test
    void unknownTargetOverrideIsExit2() {
        CliRun r = CliRun.run("run", passing.toString(), "--target", "defualt=" + db);
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("has no target 'defualt'", "did you mean 'default'?");
    }

    @Test
    void lockHeldByAnotherSessionIsExit3NamingTheHolder() throws Exception {
        try (Connection holder = DriverManager.getConnection(db); Statement st = holder.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT pg_backend_pid(), pg_advisory_lock(" + 0x70677262 + ", hashtext('pgrunbook:passing'))");
            rs.next();
            int pid = rs.getInt(1);
            CliRun r = CliRun.run("run", passing.toString(), "--db", db, "--lock");
            assertThat(r.exitCode).as(r.toString()).isEqualTo(3);
            assertThat(r.out).contains("holds its lock", "pid " + pid);
        }
        CliRun after = CliRun.run("run", passing.toString(), "--db", db, "--lock");
        assertThat(after.exitCode).as(after.toString()).isZero();
    }

    static boolean tableExists(String name) throws Exception {
        try (Connection c = DriverManager.getConnection(db); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT to_regclass('" + name + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
