package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.testsupport.TestPostgres;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code pgrunbook rebalance} where there is no Citus (plain PostgreSQL), and its usage errors: clear
 * messages and exit codes, never a stack trace. Runs on every machine (no Citus needed).
 */
@ExtendWith(TestPostgres.class)
class RebalanceWithoutCitusTest {
    private static String db;

    @BeforeAll
    static void plainDatabase() throws Exception {
        db = TestPostgres.shared().createDatabase("rebalance_plain");
    }

    private static CliRun rebalance(String... more) {
        List<String> args = new ArrayList<>(List.of("rebalance", "--no-color", "--db", db));
        args.addAll(List.of(more));
        return CliRun.run(args.toArray(String[]::new));
    }

    @Test
    void everyActionOnPlainPostgresqlSaysCitusIsMissing() {
        for (String[] args : List.of(new String[] {"--dry-run"}, new String[] {"--status"}, new String[] {"--stop", "--yes"},
                new String[] {"--yes"})) {
            CliRun r = rebalance(args);
            assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
            assertThat(r.out).as(String.join(" ", args)).contains("Citus is not installed on target 'coordinator'");
            assertThat(r.all()).doesNotContain("Exception", "\tat ");
        }
        // The run stopped at the plan: nothing after it ran.
        CliRun run = rebalance("--yes");
        assertThat(run.out).contains("ERROR  plan").contains("SKIP   rebalance");
    }

    @Test
    void conflictingOrBadOptionsAreRefusedBeforeAnyConnection() {
        String nowhere = "postgresql://nobody@127.0.0.1:1/none";
        CliRun both = CliRun.run("rebalance", "--db", nowhere, "--dry-run", "--stop");
        assertThat(both.exitCode).isEqualTo(2);
        assertThat(both.err).contains("give one of --dry-run, --status and --stop");

        CliRun threshold = CliRun.run("rebalance", "--db", nowhere, "--threshold", "0.1", "--yes");
        assertThat(threshold.exitCode).isEqualTo(2);
        assertThat(threshold.err).contains("--threshold applies to --dry-run only", "citus_add_rebalance_strategy");

        CliRun mode = CliRun.run("rebalance", "--db", nowhere, "--shard-transfer-mode", "fast", "--yes");
        assertThat(mode.exitCode).isEqualTo(2);
        assertThat(mode.err).contains("--shard-transfer-mode fast: give auto, force_logical or block_writes");

        CliRun drain = CliRun.run("rebalance", "--db", nowhere, "--drain-node", "worker7", "--yes");
        assertThat(drain.exitCode).as(drain.toString()).isEqualTo(2);
        assertThat(drain.err).contains("drain_node must be host:port, got 'worker7'");

        CliRun time = CliRun.run("rebalance", "--db", nowhere, "--max-time", "soon", "--yes");
        assertThat(time.exitCode).as(time.toString()).isEqualTo(2);
        assertThat(time.err).contains("max_time");

        CliRun statusWithStart = CliRun.run("rebalance", "--db", nowhere, "--status", "--strategy", "by_disk_size");
        assertThat(statusWithStart.exitCode).isEqualTo(2);
        assertThat(statusWithStart.err).contains("--status and --stop act on the running job");
    }

    @Test
    void onlyTheRunAndTheStopWriteThePlanAndStatusOnlyRead() {
        CliRun plan = CliRun.run("plan", "runbooks/citus-rebalance.yaml");
        assertThat(plan.exitCode).as(plan.toString()).isZero();
        assertThat(plan.out).contains("plan  [citus.rebalance, read-only", "rebalance  [citus.rebalance, WRITES",
                "Steps that WRITE: rebalance (");

        CliRun unconfirmed = rebalance();
        assertThat(unconfirmed.exitCode).isEqualTo(2);
        assertThat(unconfirmed.err).contains("has steps that write (rebalance)", "--yes");
    }
}
