package io.pgrunbook.steps.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import io.pgrunbook.testsupport.RealisticSchema;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * backup and verify-backup on the realistic fixture: attached, nested and default partitions,
 * inheritance, quoted names with spaces, pagila's payment shape (a sequence owned by nobody,
 * foreign keys from partitions to a table a subset leaves out).
 */
@ExtendWith(TestPostgres.class)
class BackupPartitionsIntegrationTest {
    @TempDir
    static Path tmp;

    static String db;

    @BeforeAll
    static void fixture() throws Exception {
        db = RealisticSchema.create("backup_partitions");
    }

    @Test
    void aWholeDatabaseWithAttachedNestedAndDefaultPartitionsBacksUpAndVerifies() throws Exception {
        for (String format : List.of("directory", "custom")) {
            Path dir = tmp.resolve("whole-" + format);
            BackupManifest m = backedUp(dir, "format: " + format);
            List<String> names = m.tables().stream().map(BackupManifest.TableEntry::qualified).toList();
            assertThat(names).doesNotHaveDuplicates().noneMatch(n -> n.contains("ATTACH")).contains(
                    "app.events", "app.events_old", "app.events_2025", "app.events_2025_h1", "app.events_2025_rest",
                    "app.events_default", "app.audit_log", "app.audit_log_2024", "Sales Data.Order Lines", "public.payment_p2025_02");
            // Each table counts its own rows (as SELECT count(*) FROM ONLY): parents hold none, nothing is counted twice.
            assertThat(rows(m, "app.events")).isZero();
            assertThat(rows(m, "app.events_2025")).isZero();
            assertThat(rows(m, "app.events_old")).isEqualTo(200);
            assertThat(rows(m, "app.events_2025_h1") + rows(m, "app.events_2025_rest") + rows(m, "app.events_default")).isEqualTo(1000);
            assertThat(rows(m, "app.audit_log")).isEqualTo(30);
            assertThat(rows(m, "app.audit_log_2025")).isEqualTo(50);
            assertThat(rows(m, "Sales Data.Order Lines")).isEqualTo(25);
            assertThat(m.tables().stream().mapToLong(BackupManifest.TableEntry::rows).sum()).isEqualTo(1200 + 120 + 25 + 10 + 5 + 60);
            assertThat(m.objects()).contains("policy Sales Data.Order Lines.Tenant Isolation", "index app.events_old.events_old_created_at_idx")
                    .noneMatch(o -> o.startsWith(OutsideForeignKeys.KIND));

            StepResult v = run(verify(dir));
            assertThat(v.status()).as(v.message()).isEqualTo(Status.PASS);
            assertThat(v.evidence().rows()).allSatisfy(r -> assertThat(r.get(3)).isEqualTo("ok"));
        }
    }

    @Test
    void aTableSubsetTakesItsPartitionsAndTheSequenceItsDefaultUsesAndItsDrillPasses() throws Exception {
        Path dir = tmp.resolve("payment");
        BackupManifest m = backedUp(dir, "tables: ['payment%']");
        assertThat(m.tables()).extracting(BackupManifest.TableEntry::qualified)
                .containsExactlyInAnyOrder("public.payment", "public.payment_p2025_01", "public.payment_p2025_02");
        assertThat(rows(m, "public.payment_p2025_01")).isEqualTo(30);
        assertThat(m.objects()).contains(OutsideForeignKeys.KIND + " public.payment_p2025_01.payment_p2025_01_customer_id_fkey");

        StepResult v = run(verify(dir));
        assertThat(v.status()).as(v.message()).isEqualTo(Status.PASS);
        assertThat(v.message()).contains("3 tables compared", "2 foreign key(s) to tables outside this table-subset backup left out");
    }

    @Test
    void aParentNamedAloneBringsItsPartitionsAndAnExcludedParentTakesItsPartitionsWithIt() throws Exception {
        Path only = tmp.resolve("parent");
        BackupManifest m = backedUp(only, "tables: ['public.payment']");
        assertThat(m.tables().stream().mapToLong(BackupManifest.TableEntry::rows).sum()).isEqualTo(60);
        assertThat(run(verify(only)).status()).isEqualTo(Status.PASS);

        // (app.events would not do: the materialized view app.daily_kinds reads it, and pg_dump keeps the view.)
        Path without = tmp.resolve("without-payment");
        BackupManifest n = backedUp(without, "exclude_tables: ['public.payment']");
        assertThat(n.tables()).extracting(BackupManifest.TableEntry::qualified).noneMatch(t -> t.startsWith("public.payment"))
                .contains("app.audit_log", "app.events_old", "public.customer");
        StepResult v = run(verify(without));
        assertThat(v.status()).as(v.message()).isEqualTo(Status.PASS);
    }

    @Test
    void aTenantBackupOfAPartitionedTableExportsEachRowOnceAndItsDrillPasses() throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(db); java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.tenant_events (tenant_id text NOT NULL, n int NOT NULL) PARTITION BY RANGE (n);"
                    + "CREATE TABLE public.tenant_events_low PARTITION OF public.tenant_events FOR VALUES FROM (0) TO (50);"
                    + "CREATE TABLE public.tenant_events_high PARTITION OF public.tenant_events DEFAULT;"
                    + "INSERT INTO public.tenant_events SELECT CASE WHEN g % 2 = 0 THEN 'acme' ELSE 'globex' END, g FROM generate_series(1, 100) g");
        }
        try {
            Path dir = tmp.resolve("tenant");
            BackupManifest m = backedUp(dir, "tables: ['tenant_events'], tenant: acme");
            assertThat(m.tables()).extracting(t -> t.qualified() + "=" + t.rows())
                    .containsExactlyInAnyOrder("public.tenant_events=0", "public.tenant_events_low=24", "public.tenant_events_high=26");
            StepResult v = run(verify(dir));
            assertThat(v.status()).as(v.message()).isEqualTo(Status.PASS);
        } finally {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(db); java.sql.Statement st = c.createStatement()) {
                st.execute("DROP TABLE public.tenant_events");
            }
        }
    }

    /** Runs a backup into dir, which must pass, and returns its manifest. */
    private static BackupManifest backedUp(Path dir, String with) throws Exception {
        StepResult b = run(backup(dir, with));
        assertThat(b.status()).as(b.message()).isEqualTo(Status.PASS);
        return BackupManifest.read(BackupLayout.latest(dir).orElseThrow().directory());
    }

    private static long rows(BackupManifest m, String table) {
        return m.tables().stream().filter(t -> t.qualified().equals(table)).findFirst().orElseThrow().rows();
    }

    private static String backup(Path dir, String extra) {
        return "name: b\nsteps:\n  - id: b\n    type: backup\n    timeout: 10min\n    with: { dir: '" + dir + "', " + extra + " }\n";
    }

    private static String verify(Path dir) {
        return "name: v\nsteps:\n  - id: v\n    type: verify-backup\n    timeout: 10min\n    with: { latest: '" + dir + "' }\n";
    }

    private static StepResult run(String yaml) {
        Runbook runbook = new RunbookLoader(BackupIntegrationTest.REGISTRY).parse(yaml, "t.yaml", Map.of(), Map.of());
        runbook = runbook.withTargetConnection(runbook.defaultTarget(), db);
        return new Engine(BackupIntegrationTest.REGISTRY).run(runbook, new RunOptions(false, Map.of(), Map.of()), new Cancellation()).steps().get(0);
    }
}
