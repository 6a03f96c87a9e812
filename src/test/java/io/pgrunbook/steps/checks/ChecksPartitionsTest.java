package io.pgrunbook.steps.checks;

import static io.pgrunbook.steps.checks.ChecksCatalogTest.exec;
import static io.pgrunbook.steps.checks.ChecksCatalogTest.only;
import static io.pgrunbook.steps.checks.ChecksCatalogTest.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import io.pgrunbook.testsupport.RealisticSchema;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The checks catalog on the realistic fixture: partitions, inheritance and quoted names raise no false alarm. */
@ExtendWith(TestPostgres.class)
class ChecksPartitionsTest {
    /** Steps that judge the server's configuration or its installed packages, not the schema: a test server may fail them. */
    static final Set<String> ENVIRONMENT = Set.of("tuning", "wal-archiving", "pg-stat-statements", "slow-queries", "minor-version");

    static String db;

    @BeforeAll
    static void fixture() throws Exception {
        db = RealisticSchema.create("checks_partitions");
        // Queries that use the created_at index of one partition only (as recent-data queries do).
        exec(db, "SET enable_seqscan = off; SELECT count(*) FROM app.events WHERE created_at > now() - interval '1 day'");
        // A foreign key to a partitioned table, without an index on the referencing side: one finding.
        exec(db, "CREATE TABLE app.event_notes (id int PRIMARY KEY, event_id bigint NOT NULL, event_created_at timestamptz NOT NULL, "
                + "FOREIGN KEY (event_id, event_created_at) REFERENCES app.events (id, created_at))");
        Thread.sleep(700); // the statistics collector flushes at most once a second
    }

    @Test
    void aPartitionedIndexIsJudgedWholeOnItsParentAndNeverPerPartition() {
        StepResult unused = ChecksCatalogTest.only(ChecksCatalogTest.run(db, "  - id: c\n    type: check.unused_indexes\n    with: { min_table_size: '0' }\n"));
        List<Object> names = rows(unused).stream().map(r -> r.get("index_name")).toList();
        // events_created_at_idx was used on events_default: not unused although its other partitions' copies were never scanned.
        assertThat(names).doesNotContain("events_created_at_idx", "events_old_created_at_idx", "events_2025_h1_created_at_idx",
                "events_old_payload_idx", "payment_p2025_01_customer_id_idx");
        assertThat(names).contains("events_payload_trgm_idx", "payment_customer_id_idx", "Order Lines by Customer");
        assertThat(rows(unused)).filteredOn(r -> r.get("index_name").equals("events_payload_trgm_idx"))
                .singleElement().satisfies(r -> assertThat(r.get("table_name")).isEqualTo("events"));
    }

    @Test
    void aForeignKeyToAPartitionedTableIsOneFindingNotOnePerPartition() {
        StepResult fk = only(ChecksCatalogTest.run(db, "  - id: c\n    type: check.fk_without_index\n"));
        assertThat(rows(fk)).extracting(r -> r.get("table_name") + "." + r.get("constraint_name") + "->" + r.get("references_table"))
                .containsExactly("event_notes.event_notes_event_id_event_created_at_fkey->app.events");
    }

    @Test
    void partitionIndexesAreNotDuplicatesOfTheirParentsAndEveryTableHasAKey() {
        assertThat(only(ChecksCatalogTest.run(db, "  - id: c\n    type: check.duplicate_indexes\n")).status()).isEqualTo(Status.PASS);
        assertThat(only(ChecksCatalogTest.run(db, "  - id: c\n    type: check.tables_without_pk\n")).status()).isEqualTo(Status.PASS);
        assertThat(only(ChecksCatalogTest.run(db, "  - id: c\n    type: check.invalid_indexes\n")).status()).isEqualTo(Status.PASS);
    }

    @Test
    void aRealDuplicateOnAPartitionSaysWhichCopyBelongsToTheParentsIndex() throws Exception {
        // As in pagila: the partition kept its own index when the parent's index was created beside it.
        exec(db, "CREATE INDEX idx_events_old_created_at ON app.events_old (created_at)");
        try {
            StepResult dup = only(ChecksCatalogTest.run(db, "  - id: c\n    type: check.duplicate_indexes\n"));
            assertThat(rows(dup)).singleElement().satisfies(r -> {
                assertThat(r.get("table_name")).isEqualTo("events_old");
                assertThat(List.of(r.get("index_a"), r.get("index_b"))).containsExactlyInAnyOrder("events_old_created_at_idx", "idx_events_old_created_at");
                assertThat(r.get(r.get("index_a").equals("events_old_created_at_idx") ? "a_attached_to" : "b_attached_to"))
                        .isEqualTo("app.events_created_at_idx");
            });
        } finally {
            exec(db, "DROP INDEX app.idx_events_old_created_at");
        }
    }

    @Test
    void aPartitionedTableIsKeyedWhenEveryPartitionIsAndFlaggedWhenOneIsNot() throws Exception {
        exec(db, "CREATE TABLE public.readings (id bigint NOT NULL, taken_on date NOT NULL) PARTITION BY RANGE (taken_on);"
                + "CREATE TABLE public.readings_2025 PARTITION OF public.readings (PRIMARY KEY (id)) FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');"
                + "CREATE TABLE public.readings_rest PARTITION OF public.readings (PRIMARY KEY (id)) DEFAULT");
        try {
            assertThat(only(ChecksCatalogTest.run(db, "  - id: c\n    type: check.tables_without_pk\n")).status()).isEqualTo(Status.PASS);
            exec(db, "ALTER TABLE public.readings_rest DROP CONSTRAINT readings_rest_pkey");
            StepResult flagged = only(ChecksCatalogTest.run(db, "  - id: c\n    type: check.tables_without_pk\n"));
            assertThat(rows(flagged)).extracting(r -> r.get("table_name")).containsExactly("readings");
        } finally {
            exec(db, "DROP TABLE public.readings");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"health.yaml", "db-operations.yaml", "db-performance.yaml"})
    void theShippedCheckRunbooksFindNothingWrongWithTheSchema(String file) {
        Runbook runbook = new RunbookLoader(ChecksCatalogTest.REGISTRY).load(Path.of("runbooks", file), Map.of(), Map.of());
        runbook = runbook.withTargetConnection(runbook.defaultTarget(), db);
        RunReport report = new Engine(ChecksCatalogTest.REGISTRY).run(runbook, new RunOptions(false, Map.of(), Map.of()), new Cancellation());
        assertThat(report.steps()).filteredOn(s -> !ENVIRONMENT.contains(s.stepId()))
                .allSatisfy(s -> assertThat(s.status()).as(s.stepId() + ": " + s.message()).isIn(Status.PASS, Status.SKIP));
    }
}
