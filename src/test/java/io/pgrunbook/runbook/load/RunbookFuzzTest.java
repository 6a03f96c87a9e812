package io.pgrunbook.runbook.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.runbook.Problem;
import io.pgrunbook.runbook.RunbookInvalidException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 5, the fuzz regression: a fixed-seed generator mutates valid runbooks the way the
 * torture run's 1,200 cases did (keys, types, aliases, nesting, bytes, durations, targets), and every
 * case must load (exit 0) or be refused with exit 2 and a located problem, each within a time bound.
 */
class RunbookFuzzTest {
    private static final long SEED = 0x14_0014L;
    private static final int CASES = 400;
    private static final Duration PER_CASE = Duration.ofSeconds(1);
    private static final RunbookLoader LOADER = new RunbookLoader(StepRegistry.load());

    private static final List<String> BASES = List.of(
            """
            name: fuzz
            targets:
              db1: { url: "host=127.0.0.1 port=5432 dbname=app" }
            vars:
              tables: [a, b]
              limit: 10
            defaults: { timeout: 30s, lock_timeout: 2s }
            steps:
              - id: one
                sql: SELECT count(*) FROM pg_class WHERE relname = ANY(:tables)
                expect: { value: { lt: 100 } }
                severity: warning
              - id: two
                sql: SELECT 1 AS x
                timeout: 5s
                expect: { rows: 1 }
            """,
            """
            name: fuzz-backup
            steps:
              - id: b
                type: backup
                with: { dir: /tmp/b, jobs: 2, keep_last: 3 }
              - id: v
                type: verify-backup
                with: { latest: /tmp/b, drill: false, jobs: 2 }
            """);

    /** Fragments that broke or slowed the loader once, and ordinary mistakes. */
    private static final List<String> NASTY = List.of("&r [1, *r]", "&m {k: *m}", "*undefined", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
            "0.4ms", "0", "-1", "jobs: 0", "{", "}", "'", "\"", "\t", "${env:NOPE}", "${nope}", "!!binary AAAA", "!!python/object:x {}",
            "? complex\n: key", "&a x", "<<: *a", "null", "~", "1e309", "99999999999999999999999", "\u0000", "\uFEFF", "host=h sslmod=require",
            "postgres://u:pw@h/db", "%YAML 1.1", "---", "...", "|", ">", "- - -", ": :", "#");

    @Test
    void everyMutatedRunbookLoadsOrIsRefusedWithALocationQuickly() {
        Random random = new Random(SEED);
        int loaded = 0;
        int refused = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            String text = mutate(BASES.get(random.nextInt(BASES.size())), random);
            long began = System.nanoTime();
            try {
                LOADER.parse(text, "fuzz.yaml", Map.of(), Map.of());
                loaded++;
            } catch (RunbookInvalidException e) {
                refused++;
                assertThat(e.exitCode()).isEqualTo(ExitCode.INVALID);
                for (Problem p : e.problems()) {
                    if (p.location().line() < 1 || p.location().column() < 1) {
                        failures.add("case " + i + ": unlocated problem " + p + "\n" + text);
                    }
                }
            } catch (PgRunbookException e) {
                failures.add("case " + i + ": exit " + e.exitCode() + " without a location: " + e.getMessage() + "\n" + text);
            } catch (Throwable t) {
                failures.add("case " + i + ": " + t + "\n" + text);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - began);
            if (took.compareTo(PER_CASE) > 0) {
                failures.add("case " + i + " took " + took.toMillis() + " ms\n" + text);
            }
        }
        assertThat(failures).as("outcomes other than exit 0 or a located exit 2 in time").isEmpty();
        assertThat(loaded).as("some mutations keep the runbook valid").isPositive();
        assertThat(refused).as("most mutations break it").isGreaterThan(CASES / 2);
    }

    /** One to four edits: a nasty fragment spliced in, a line dropped, duplicated or re-indented, a byte flipped. */
    private static String mutate(String base, Random random) {
        List<String> lines = new ArrayList<>(base.lines().toList());
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(lines.size());
            String line = lines.get(at);
            switch (random.nextInt(6)) {
                case 0 -> {
                    int col = line.indexOf(": ");
                    String nasty = NASTY.get(random.nextInt(NASTY.size()));
                    lines.set(at, col < 0 ? line + " " + nasty : line.substring(0, col + 2) + nasty);
                }
                case 1 -> lines.remove(at);
                case 2 -> lines.add(at, line);
                case 3 -> lines.set(at, " ".repeat(random.nextInt(6)) + line.strip());
                case 4 -> {
                    if (!line.isEmpty()) {
                        char[] chars = line.toCharArray();
                        chars[random.nextInt(chars.length)] = (char) (32 + random.nextInt(95));
                        lines.set(at, new String(chars));
                    }
                }
                default -> lines.add(at, "  - " + NASTY.get(random.nextInt(NASTY.size())));
            }
            if (lines.isEmpty()) {
                lines.add("");
            }
        }
        return String.join("\n", lines) + "\n";
    }
}
