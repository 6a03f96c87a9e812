package io.pgrunbook.report;

import static io.pgrunbook.report.ReportFixtures.evidence;
import static io.pgrunbook.report.ReportFixtures.run;
import static io.pgrunbook.report.ReportFixtures.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.error.ExitCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextRendererTest {
    private static final RenderOptions PLAIN = new RenderOptions(false, false, null);
    private static final RenderOptions COLOR = new RenderOptions(true, false, null);
    private static final RenderOptions QUIET = new RenderOptions(false, true, null);

    private static String text(RenderOptions options, RunReport report) {
        return Rendering.render(ReportFormat.TEXT, options, report);
    }

    @Test
    void headerNamesTheRunbookAndEveryTargetWithItsServerVersion() {
        String out = text(PLAIN, ReportFixtures.everyStatus());
        assertThat(out).startsWith("storage-shard-validation\nShard validation after the ext_storage migration\n");
        assertThat(out).contains("target coordinator  postgres@db1:5432/storage  PostgreSQL 15.18");
        assertThat(out).contains("target shard-1      postgres@db2:5432/storage  (not reached)");
    }

    @Test
    void summaryCountsTopLevelStepsAndGivesTheExitCode() {
        String out = text(PLAIN, ReportFixtures.everyStatus());
        assertThat(out).endsWith(
                "\n6 steps: 1 passed, 1 warning, 2 failed, 1 error, 1 skipped in 0.84 s (exit 1)\n");
    }

    @Test
    void failedStepShowsExpectedObservedAndALongValueWholeRowByRow() {
        String out = text(PLAIN, ReportFixtures.everyStatus());
        assertThat(out).contains(String.join("\n",
                "FAIL   no-reference-tables  No reference tables  (coordinator, 12 ms)",
                "       2 reference tables",
                "       expected: value = 0",
                "       observed: value = 5",
                "       -[ row 1 ]---------------------------------------------",
                "       logicalrelid | ext_storage_records",
                "       partmethod   | n",
                "       -[ row 2 ]---------------------------------------------",
                "       logicalrelid | " + "x".repeat(77),
                "                    | " + "x".repeat(23),
                "       partmethod   | n",
                "       ... and 3 more rows"));
    }

    @Test
    void shortValuesStayAnAlignedTable() {
        RunReport report = run(step("n", Status.FAIL).evidence(evidence(null, null, List.of("relname", "advice"), 1,
                List.of("a", "short"))).build()).build();
        assertThat(text(PLAIN, report)).contains("relname | advice\n", "--------+-------\n", "a       | short\n");
    }

    @Test
    void aLongValueIsWrappedNeverCut() {
        String advice = "rewrite " + "the statement ".repeat(20) + "END";
        RunReport report = run(step("n", Status.FAIL).evidence(evidence(null, null, List.of("rule", "advice"), 1,
                List.of("adding-serial", advice))).build()).build();
        String out = text(PLAIN, report);
        assertThat(out).contains("       rule   | adding-serial\n", "       advice | rewrite the statement", "END\n").doesNotContain("\u2026");
        assertThat(out.replaceAll("\n +\\| ", " ")).contains(advice);
    }

    @Test
    void numbersAreRightAlignedLikePsql() {
        RunReport report = run(step("n", Status.FAIL).evidence(evidence(null, null, List.of("relname", "dead"), 2,
                List.of("a", 5), List.of("b", 250000))).build()).build();
        assertThat(text(PLAIN, report)).contains("relname |   dead\n", "a       |      5\n", "b       | 250000\n");
    }

    @Test
    void fannedOutStepListsEachTargetIndentedUnderIt() {
        String out = text(PLAIN, ReportFixtures.everyStatus());
        assertThat(out).contains(String.join("\n",
                "FAIL   shard-counts         Row counts match  (2 targets, 12 ms)",
                "  PASS   shard-0  (12 ms)",
                "  FAIL   shard-1  (12 ms)",
                "         count differs",
                "         expected: count = 10"));
    }

    @Test
    void passingStepsDoNotShowEvidence() {
        RunReport report = run(step("ok", Status.PASS).evidence(evidence("value = 0", "value = 0", List.of(), 0)).build())
                .build();
        assertThat(text(PLAIN, report)).doesNotContain("expected:");
    }

    @Test
    void noColourUnlessAsked() {
        assertThat(text(PLAIN, ReportFixtures.everyStatus())).doesNotContain("\u001b");
        String coloured = text(COLOR, ReportFixtures.everyStatus());
        assertThat(coloured).contains("\u001b[32mPASS\u001b[0m", "\u001b[33mWARN\u001b[0m", "\u001b[31mFAIL\u001b[0m",
                "\u001b[1;31mERROR\u001b[0m", "\u001b[90mSKIP\u001b[0m");
    }

    @Test
    void escapeSequencesInMessagesCannotReachTheTerminal() {
        RunReport report = run(step("x", Status.FAIL).message("bad\u001b[2Jname").build()).build();
        assertThat(text(COLOR, report)).contains("bad\\x1b[2Jname");
    }

    @Test
    void noLineEndsInWhitespace() {
        for (RenderOptions options : List.of(PLAIN, COLOR, QUIET)) {
            String out = text(options, ReportFixtures.everyStatus());
            assertThat(out.split("\n", -1)).allSatisfy(line -> assertThat(line).doesNotEndWith(" "));
        }
    }

    @Test
    void runErrorIsPrintedBeforeTheSummary() {
        RunReport report = run().runError("cannot connect to coordinator: connection refused", ExitCode.CANNOT_RUN).build();
        assertThat(text(PLAIN, report)).contains(
                "RUN ERROR: cannot connect to coordinator: connection refused\n\n0 steps:")
                .endsWith("(exit 3)\n");
    }

    @Test
    void quietPrintsNothingWhenTheRunSucceeds() {
        RunReport report = ReportFixtures.allPass();
        assertThat(report.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(text(QUIET, report)).isEmpty();
    }

    @Test
    void quietPrintsOnlyFailuresErrorsAndTheSummary() {
        String out = text(QUIET, ReportFixtures.everyStatus());
        assertThat(out).contains("FAIL   no-reference-tables", "... and 3 more rows", "ERROR  replication-lag",
                "sqlstate: 57014", "attempts: 3", "  FAIL   shard-1", "storage-shard-validation: 6 steps:");
        assertThat(out).doesNotContain("PASS", "WARN", "SKIP", "hash-distributed", "dead-tuples", "target coordinator");
    }

    @Test
    void quietStillReportsARunThatCouldNotStart() {
        RunReport report = run().runError("lock held by pid 4242", ExitCode.CANNOT_RUN).build();
        assertThat(text(QUIET, report)).isEqualTo(
                "RUN ERROR: lock held by pid 4242\n\nstorage-shard-validation: 0 steps: 0 passed, 0 warnings, "
                        + "0 failed, 0 errors, 0 skipped in 0.84 s (exit 3)\n");
    }
}
