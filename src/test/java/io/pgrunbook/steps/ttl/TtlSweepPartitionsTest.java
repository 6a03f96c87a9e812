package io.pgrunbook.steps.ttl;

import static io.pgrunbook.steps.ttl.TtlHarness.count;
import static io.pgrunbook.steps.ttl.TtlHarness.exec;
import static io.pgrunbook.steps.ttl.TtlHarness.metric;
import static io.pgrunbook.steps.ttl.TtlHarness.runStep;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.testsupport.RealisticSchema;
import io.pgrunbook.testsupport.TestPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ttl.sweep on the realistic fixture's partitioned app.events (attached, nested and default
 * partitions; 900 rows older than 30 days, 300 younger) and inherited app.audit_log: a ctid is
 * unique only within one heap, so each batch must delete its own rows and no others.
 */
@ExtendWith(TestPostgres.class)
class TtlSweepPartitionsTest {
    static final String EVENTS = "table: app.events, expiry_expression: \"created_at + interval '30 days'\", scope_columns: []";
    static final String EXPIRED = "SELECT count(*) FROM app.events WHERE created_at < now() - interval '30 days'";

    String db;

    @BeforeEach
    void fixture() throws Exception {
        db = RealisticSchema.create("ttl_partitions");
    }

    @AfterEach
    void noHooks() {
        TtlSweepStep.testHooks = null;
    }

    @Test
    void eachBatchDeletesAtMostItsSizeAcrossPartitionsAndCountsAreExact() throws Exception {
        List<Long> left = new ArrayList<>();
        TtlSweepStep.testHooks = (scope, rows) -> left.add(count(db, EXPIRED));
        StepResult r = runStep(db, EVENTS + ", select_batch_size: 50, delete_batch_size: 50");
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(r.evidence().observed()).contains("uses index events_", "each delete batch runs per heap");
        assertThat(count(db, EXPIRED)).isZero();
        assertThat(count(db, "SELECT count(*) FROM app.events")).isEqualTo(300);
        assertThat(metric(r, "ttl_cleanup_deletes_total")).isEqualTo(900);
        assertThat(metric(r, "ttl_cleanup_batches_total")).isEqualTo(18);
        assertThat(metric(r, "ttl_cleanup_changed_rows_total")).isZero();
        assertThat(metric(r, "ttl_expired_rows_pending")).isZero();
        assertThat(r.message()).contains("900 expired rows deleted", "in 18 batches").doesNotContain("-");
        // Before each batch: 900, 850, 800, ... never more than one batch gone at once.
        assertThat(left).hasSize(18);
        for (int i = 0; i < left.size(); i++) {
            assertThat(left.get(i)).as("expired rows before batch %d", i + 1).isEqualTo(900 - 50L * i);
        }
    }

    @Test
    void acrossScopesOnAPartitionedTableEveryScopeLosesExactlyItsExpiredRows() throws Exception {
        exec(db, "CREATE INDEX events_kind_created_at_idx ON app.events (kind, created_at)");
        StepResult r = runStep(db, "table: app.events, expiry_expression: \"make_interval(days => 30) + created_at\", "
                + "scope_columns: [kind], delete_batch_size: 64");
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        // view: 200 old + 400 expired defaults; click: 150 of 2025 (300 recent ones stay); purchase: 150.
        assertThat(r.evidence().rows()).extracting(row -> row.get(1) + "=" + row.get(3))
                .containsExactlyInAnyOrder("click=150", "purchase=150", "view=600");
        assertThat(metric(r, "ttl_cleanup_changed_rows_total")).isZero();
        assertThat(count(db, "SELECT count(*) FROM app.events")).isEqualTo(300);
        assertThat(count(db, "SELECT count(*) FROM app.events WHERE kind = 'click' AND created_at > now() - interval '11 days'")).isEqualTo(300);
    }

    @Test
    void theRefusalGivesStatementsPostgresqlAcceptsAndTheSweepThenUsesThem() throws Exception {
        exec(db, "DROP INDEX app.events_created_at_idx");
        StepResult refused = runStep(db, EVENTS);
        assertThat(refused.status()).isNotEqualTo(Status.PASS);
        assertThat(refused.message()).contains("CREATE INDEX events_ttl_idx ON ONLY app.events (\"created_at\")",
                "CREATE INDEX CONCURRENTLY events_old_ttl_idx ON app.events_old", "ALTER INDEX app.events_2025_ttl_idx ATTACH PARTITION")
                .doesNotContain("<scope", "<expiry>");
        assertThat(count(db, EXPIRED)).isEqualTo(900);
        for (String statement : statements(refused.message())) {
            exec(db, statement); // each on its own: CONCURRENTLY cannot run in a transaction block
        }
        assertThat(count(db, "SELECT count(*) FROM pg_index WHERE indexrelid::regclass::text LIKE '%ttl_idx' AND indisvalid")).isEqualTo(6);
        StepResult r = runStep(db, EVENTS);
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(metric(r, "ttl_cleanup_deletes_total")).isEqualTo(900);
    }

    @Test
    void anInheritanceParentAndItsChildrenAreSweptTogetherWithTheirOwnIndexes() throws Exception {
        String sweep = "table: app.audit_log, expiry_expression: \"logged_at + interval '400 days'\", scope_columns: [], delete_batch_size: 7";
        StepResult refused = runStep(db, sweep);
        assertThat(refused.message()).contains("CREATE INDEX CONCURRENTLY audit_log_2024_ttl_idx ON app.audit_log_2024 (\"logged_at\")")
                .doesNotContain("ON ONLY", "ATTACH");
        for (String statement : statements(refused.message())) {
            exec(db, statement);
        }
        StepResult r = runStep(db, sweep);
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(metric(r, "ttl_cleanup_deletes_total")).isEqualTo(90);
        assertThat(metric(r, "ttl_cleanup_batches_total")).isEqualTo(13);
        assertThat(metric(r, "ttl_cleanup_changed_rows_total")).isZero();
        assertThat(count(db, "SELECT count(*) FROM app.audit_log")).isEqualTo(30);
        assertThat(count(db, "SELECT count(*) FROM ONLY app.audit_log")).isEqualTo(30);
    }

    /** The CREATE/ALTER INDEX statements of a refusal, in order. */
    private static List<String> statements(String message) {
        Matcher m = Pattern.compile("create it: (.*?); or set force").matcher(message);
        assertThat(m.find()).as(message).isTrue();
        return List.of(m.group(1).split("; "));
    }
}
