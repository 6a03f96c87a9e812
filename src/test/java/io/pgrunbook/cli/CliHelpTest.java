package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliHelpTest {
    @TempDir
    static Path dir;
    static Path PASSING;

    @BeforeAll
    static void runbook() throws Exception {
        PASSING = Files.writeString(dir.resolve("ok.yaml"), "name: ok\nsteps:\n  - id: one\n    sql: SELECT 1\n");
    }

    @Test
    void topLevelHelpListsCommandsAndEveryExitCode() {
        CliRun r = CliRun.run("--help");
        assertThat(r.exitCode).isZero();
        assertThat(r.out).contains("run", "plan", "sandbox", "completion", "Exit codes:");
        for (String code : new String[] {"0", "1", "2", "3", "4", "130"}) {
            assertThat(r.out).containsPattern("(?m)^\\s+" + code + "\\s+\\S");
        }
    }

    @Test
    void everyCommandHasHelpWithExitCodes() {
        for (String[] cmd : new String[][] {{"run", "--help"}, {"plan", "--help"}, {"sandbox", "--help"},
                {"sandbox", "start", "--help"}, {"completion", "--help"}}) {
            CliRun r = CliRun.run(cmd);
            assertThat(r.exitCode).as(String.join(" ", cmd)).isZero();
            assertThat(r.out).as(String.join(" ", cmd)).contains("Usage: pgrunbook", "Exit codes:");
        }
        assertThat(CliRun.run("run", "--help").out).contains("--dry-run", "--lock", "--report", "--sandbox", "--set", "Examples:");
    }

    @Test
    void versionNamesTheTool() {
        CliRun r = CliRun.run("--version");
        assertThat(r.exitCode).isZero();
        assertThat(r.out).startsWith("pgrunbook ").doesNotContain("unknown");
    }

    @Test
    void unknownOptionIsAUsageErrorWithASuggestion() {
        CliRun r = CliRun.run("run", "--dryrun", "x.yaml");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("--dryrun").contains("--dry-run").contains("--help");
        assertThat(r.err).doesNotContain("\tat ");
    }

    @Test
    void unknownCommandIsAUsageErrorWithASuggestion() {
        CliRun r = CliRun.run("rnu");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("run");
    }

    @Test
    void noCommandIsAUsageError() {
        CliRun r = CliRun.run();
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("name a command");
    }

    @Test
    void missingRunbookFileIsExit2WithoutStackTrace() {
        CliRun r = CliRun.run("plan", "/nonexistent/runbook.yaml");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("runbook file not found: /nonexistent/runbook.yaml").doesNotContain("Exception");
    }

    @Test
    void badReportSpecIsExit2BeforeAnythingRuns() {
        CliRun r = CliRun.run("run", PASSING.toString(), "--db", "postgres://127.0.0.1:1/x", "--report", "xml:out.xml");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("FORMAT=PATH");
    }

    @Test
    void badFormatIsExit2() {
        CliRun r = CliRun.run("run", PASSING.toString(), "--db", "postgres://127.0.0.1:1/x", "--format", "yaml");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("unknown report format 'yaml'");
    }
}
