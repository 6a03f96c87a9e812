package io.pgrunbook.steps.ttl;

import static io.pgrunbook.steps.ttl.TtlHarness.count;
import static io.pgrunbook.steps.ttl.TtlHarness.exec;
import static io.pgrunbook.steps.ttl.TtlHarness.runStep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.RunbookInvalidException;
import io.pgrunbook.testsupport.TestPostgres;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Mistakes in a ttl.sweep step: refused with a clear message before anything is deleted. */
@ExtendWith(TestPostgres.class)
class TtlSweepBadInputTest {
    private static String db;

    @BeforeAll
    static void database() throws Exception {
        db = TestPostgres.shared().createDatabase("ttl_bad");
        exec(db, "CREATE TABLE items (id int PRIMARY KEY, tenant int NOT NULL, expires timestamptz, label text)",
                "INSERT INTO items SELECT g, g % 3, now() - interval '1 day', 'x' FROM generate_series(1, 30) g");
    }

    @Test
    void aTableThatDoesNotExist() {
        StepResult r = runStep(db, "table: itemz, expiry_column: expires");
        assertThat(r.status()).isEqualTo(Status.ERROR);
        assertThat(r.message()).contains("table 'itemz' does not exist");
    }

    @Test
    void aColumnThatDoesNotExistWithASuggestion() throws Exception {
        StepResult r = runStep(db, "table: items, expiry_column: expirs");
        assertThat(r.status()).isEqualTo(Status.ERROR);
        assertThat(r.message()).contains("has no column 'expirs'", "expires");
        StepResult scope = runStep(db, "table: items, expiry_column: expires, scope_columns: [tenant_id]");
        assertThat(scope.message()).contains("has no column 'tenant_id'");
        assertThat(count(db, "SELECT count(*) FROM items")).isEqualTo(30);
    }

    @Test
    void anExpiryThatIsNotATimestamp() throws Exception {
        StepResult r = runStep(db, "table: items, expiry_column: label");
        assertThat(r.status()).isEqualTo(Status.ERROR);
        assertThat(r.message()).contains("is of type text", "needs timestamptz, timestamp or date");
        StepResult expr = runStep(db, "table: items, expiry_expression: 'nonsense + 1'");
        assertThat(expr.status()).isEqualTo(Status.ERROR);
        assertThat(expr.message()).contains("expiry_expression 'nonsense + 1' is not valid");
        // Read as column + interval, yet the server still checks the interval and the column.
        StepResult interval = runStep(db, "table: items, expiry_expression: \"expires + interval 'banana'\"");
        assertThat(interval.status()).isEqualTo(Status.ERROR);
        assertThat(interval.message()).contains("expiry_expression 'expires + interval 'banana'' is not valid", "banana");
        StepResult column = runStep(db, "table: items, expiry_expression: \"expired_at + interval '1 day'\"");
        assertThat(column.status()).isEqualTo(Status.ERROR);
        assertThat(column.message()).contains("is not valid", "expired_at");
        assertThat(count(db, "SELECT count(*) FROM items")).isEqualTo(30);
    }

    @Test
    void badParametersAreRefusedWhenTheRunbookLoads() {
        assertThatThrownBy(() -> TtlHarness.sweep(db, "table: items, expiry_column: expires, delete_batch_size: 0"))
                .isInstanceOf(RunbookInvalidException.class).hasMessageContaining("delete_batch_size must be at least 1, got 0");
        assertThatThrownBy(() -> TtlHarness.sweep(db, "table: items, expiry_column: expires, select_batch_size: -5"))
                .hasMessageContaining("select_batch_size must be at least 1");
        assertThatThrownBy(() -> TtlHarness.sweep(db, "table: items"))
                .hasMessageContaining("exactly one of expiry_column or expiry_expression");
        assertThatThrownBy(() -> TtlHarness.sweep(db, "table: items, expiry_column: expires, sample: 3"))
                .hasMessageContaining("sample picks random scopes; give scope_columns");
        assertThatThrownBy(() -> TtlHarness.sweep(db, "table: items, expiry_column: expires, scope_columns: [tenant], scope: {namespace: a}"))
                .hasMessageContaining("scope names 'namespace', which is not in scope_columns");
        assertThatThrownBy(() -> TtlHarness.sweep(db, "table: items, expiry_column: expires, strategy: block"))
                .hasMessageContaining("strategy must be one of [auto, index, blocks], got 'block'").hasMessageContaining("blocks");
        assertThatThrownBy(() -> TtlHarness.sweep(db, "table: items, expiry_column: expires, delete_batch: 10"))
                .hasMessageContaining("delete_batch");
    }

    @Test
    void replicaLagBound() {
        assertThat(ReplicaLag.tooFar(0, Duration.ofSeconds(5))).isFalse();
        assertThat(ReplicaLag.tooFar(5.0, Duration.ofSeconds(5))).isFalse();
        assertThat(ReplicaLag.tooFar(5.2, Duration.ofSeconds(5))).isTrue();
        assertThat(ReplicaLag.tooFar(500, Duration.ZERO)).isFalse();
    }
}
