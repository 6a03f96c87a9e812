package io.pgrunbook.runbook.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.error.ExitCode;
import io.pgrunbook.runbook.Problem;
import io.pgrunbook.runbook.RunbookInvalidException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 5: hostile or huge runbooks are refused quickly (each well under a second), with
 * exit 2 and the file:line:column of the cause, never a stack overflow or minutes of parsing.
 */
class RunbookLoaderLimitsTest {
    private static final RunbookLoader LOADER = new RunbookLoader(StepRegistry.load());
    private static final Duration BOUND = Duration.ofSeconds(1);

    @TempDir
    Path tmp;

    @Test
    void recursiveAliasesAreRefusedWhereTheyAre() {
        Problem list = only(() -> LOADER.parse("name: x\nvars:\n  r: &r [1, *r]\nsteps:\n  - id: a\n    sql: SELECT 1\n", "rb.yaml", Map.of(), Map.of()));
        assertAt(list, 3, 13);
        assertThat(list.message()).contains("recursive alias *r");
        Problem map = only(() -> LOADER.parse("name: x\nvars:\n  m: &m {k: *m}\nsteps:\n  - id: a\n    sql: SELECT 1\n", "rb.yaml", Map.of(), Map.of()));
        assertAt(map, 3, 13);
    }

    @Test
    void aHugeFileIsRefusedBeforeItIsParsed() throws Exception {
        Path file = tmp.resolve("huge.yaml");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write("name: x\nsteps:\n".getBytes(StandardCharsets.UTF_8));
            byte[] step = "  - id: s\n    sql: SELECT 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\n".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 11 * 1024 * 1024 / step.length; i++) {
                out.write(step);
            }
        }
        Problem p = only(() -> LOADER.load(file, Map.of(), Map.of()));
        assertAt(p, file.toString(), 1, 1);
        assertThat(p.message()).contains("11.0 MB").contains("at most 1024 kB");
    }

    @Test
    void twentyThousandAliasesToOneStringAreRefused() {
        StringBuilder yaml = new StringBuilder("name: x\nvars:\n  s: &s hello\n  l: [");
        for (int i = 0; i < 20_000; i++) {
            yaml.append(i == 0 ? "" : ", ").append("*s");
        }
        yaml.append("]\nsteps:\n  - id: a\n    sql: SELECT 1\n");
        Problem p = only(() -> LOADER.parse(yaml.toString(), "rb.yaml", Map.of(), Map.of()));
        assertThat(p.location().line()).isEqualTo(4);
        assertThat(p.message()).contains("more than " + YamlLimits.MAX_ALIASES + " aliases");
    }

    @Test
    void deepNestingIsRefusedWhereItGoesTooDeep() {
        String yaml = "name: x\nvars:\n  d: " + "[".repeat(5000) + "]".repeat(5000) + "\nsteps:\n  - id: a\n    sql: SELECT 1\n";
        Problem p = only(() -> LOADER.parse(yaml, "rb.yaml", Map.of(), Map.of()));
        assertAt(p, 3, 6 + YamlLimits.MAX_DEPTH - 2); // the root and vars mappings are two levels
        assertThat(p.message()).contains("nested more than");
    }

    @Test
    void twentyThousandFaultyStepsCostLinearTimeAndTheListIsCapped() {
        invalid(() -> LOADER.parse(faultySteps(2_000), "rb.yaml", Map.of(), Map.of()), Duration.ofSeconds(10)); // warm-up
        long began = System.nanoTime();
        invalid(() -> LOADER.parse(faultySteps(2_000), "rb.yaml", Map.of(), Map.of()), Duration.ofSeconds(10));
        long small = System.nanoTime() - began;
        began = System.nanoTime();
        RunbookInvalidException e = invalid(() -> LOADER.parse(faultySteps(20_000), "rb.yaml", Map.of(), Map.of()), Duration.ofSeconds(10));
        long large = System.nanoTime() - began;
        // Ten times the steps: about ten times the time when linear, a hundred when quadratic (as it was: over 5 s).
        assertThat(large).as("20,000 steps took %d ms, 2,000 took %d ms", large / 1_000_000, small / 1_000_000)
                .isLessThan(30 * small + 500_000_000L);
        assertThat(e.problems().size()).isEqualTo(StepParser.MAX_PROBLEMS + 1);
        assertThat(e.problems()).last().satisfies(p -> assertThat(p.message()).contains("stopped checking here"));
        assertThat(e.getMessage().lines().count()).isLessThan(60);
        assertThat(e.getMessage()).contains("more problems: fix these first").contains("rb.yaml:4:5");
    }

    private static String faultySteps(int n) {
        StringBuilder yaml = new StringBuilder("name: x\nsteps:\n");
        for (int i = 0; i < n; i++) {
            yaml.append("  - id: s").append(i).append("\n    sqll: SELECT 1\n");
        }
        return yaml.toString();
    }

    @Test
    void invalidUtf8IsReportedWithItsLocation() throws Exception {
        Path file = tmp.resolve("latin1.yaml");
        byte[] head = "name: x\nsteps:\n  - id: a\n    sql: SELECT 'caf".getBytes(StandardCharsets.UTF_8);
        byte[] tail = "'\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + 1 + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        all[head.length] = (byte) 0xE9; // é in Latin-1
        System.arraycopy(tail, 0, all, head.length + 1, tail.length);
        Files.write(file, all);
        Problem p = only(() -> LOADER.load(file, Map.of(), Map.of()));
        assertAt(p, file.toString(), 4, 21);
        assertThat(p.message()).contains("invalid UTF-8").contains("0xE9");
    }

    @Test
    void aBadConnectionKeywordInTargetsIsLocated() {
        Problem p = only(() -> LOADER.parse("name: x\ntargets:\n  db1: { url: 'host=h1 sslmod=require' }\nsteps:\n  - id: a\n    sql: SELECT 1\n",
                "rb.yaml", Map.of(), Map.of()));
        assertAt(p, 3, 15);
        assertThat(p.message()).contains("target 'db1' url").contains("sslmod").contains("sslmode");
    }

    @Test
    void zeroRestoreJobsAreRefused() {
        Problem p = only(() -> LOADER.parse("name: x\nsteps:\n  - id: v\n    type: verify-backup\n    with: { path: /b, jobs: 0 }\n",
                "rb.yaml", Map.of(), Map.of()));
        assertThat(p.location().line()).isEqualTo(3);
        assertThat(p.message()).contains("jobs must be at least 1");
    }

    // ---- helpers ----

    private static RunbookInvalidException invalid(Supplier<Object> load) {
        return invalid(load, BOUND);
    }

    private static RunbookInvalidException invalid(Supplier<Object> load, Duration bound) {
        long began = System.nanoTime();
        RunbookInvalidException e = catchThrowableOfType(load::get, RunbookInvalidException.class);
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        assertThat(e).as("expected the runbook to be refused").isNotNull();
        assertThat(e.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(took).as("time to refuse it").isLessThan(bound);
        return e;
    }

    private static Problem only(Supplier<Object> load) {
        RunbookInvalidException e = invalid(load);
        assertThat(e.problems()).as(e.getMessage()).hasSize(1);
        return e.problems().get(0);
    }

    private static void assertAt(Problem p, int line, int column) {
        assertAt(p, "rb.yaml", line, column);
    }

    private static void assertAt(Problem p, String file, int line, int column) {
        assertThat(p.location().file()).isEqualTo(file);
        assertThat(p.location().line()).as("line of: " + p).isEqualTo(line);
        assertThat(p.location().column()).as("column of: " + p).isEqualTo(column);
    }
}
