package io.pgrunbook.steps.checks;

import static io.pgrunbook.steps.checks.ChecksCatalogTest.exec;
import static io.pgrunbook.steps.checks.ChecksCatalogTest.only;
import static io.pgrunbook.steps.checks.ChecksCatalogTest.rows;
import static io.pgrunbook.steps.checks.ChecksCatalogTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxOptions;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The catalog's checks for what is left behind and fails later (a sequence wider than its column, a
 * prepared transaction, a NOT VALID constraint, a disabled trigger, a setting waiting for a restart, an
 * old minor release), each made to fail for real and to pass on the shared test server, and the
 * wording and units of every check's report.
 */
@ExtendWith(TestPostgres.class)
class MaintenanceLeftoverChecksTest {
    static String clean;
    static String broken;

    @BeforeAll
    static void databases() throws Exception {
        clean = TestPostgres.shared().createDatabase("leftovers_clean");
        exec(clean, """
                CREATE TABLE accounts (id serial PRIMARY KEY, owner_id int);
                CREATE TABLE owners (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
                ALTER TABLE accounts ADD CONSTRAINT accounts_owner_fk FOREIGN KEY (owner_id) REFERENCES owners (id);
                """);
        broken = TestPostgres.shared().createDatabase("leftovers_broken");
        exec(broken, """
                -- A bigint sequence (the default) feeding an integer column, 93 % through the column's range.
                CREATE SEQUENCE orders_id_seq;
                CREATE TABLE orders (id integer PRIMARY KEY DEFAULT nextval('orders_id_seq'), customer_id int, amount int);
                SELECT setval('orders_id_seq', 2000000000);
                -- The same, owned by the column, still young: listed, not judged as a breach.
                CREATE SEQUENCE items_id_seq;
                CREATE TABLE items (id int NOT NULL DEFAULT nextval('items_id_seq'));
                ALTER SEQUENCE items_id_seq OWNED BY items.id;
                -- A partitioned table's partitions share its default: one row, for the parent (pagila's payment has 30 partitions).
                CREATE SEQUENCE events_id_seq;
                CREATE TABLE events (id int NOT NULL DEFAULT nextval('events_id_seq'), at date NOT NULL) PARTITION BY RANGE (at);
                CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
                CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
                CREATE TABLE customers (id int PRIMARY KEY);
                ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
                ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0) NOT VALID;
                CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
                CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
                ALTER TABLE orders DISABLE TRIGGER orders_touch;
                CREATE TABLE lines (order_id int REFERENCES customers (id));
                ALTER TABLE lines DISABLE TRIGGER ALL;
                """);
    }

    static StepResult one(String url, String type, String with) {
        return only(run(url, "  - id: c\n    type: " + type + "\n" + (with.isEmpty() ? "" : "    with: " + with + "\n")));
    }

    @Test
    void aBigintSequenceFeedingAnIntegerColumnIsJudgedAgainstTheColumn() {
        StepResult s = one(broken, "check.sequence_column_types", "");
        assertThat(s.status()).as(s.message()).isEqualTo(Status.FAIL);
        assertThat(s.message()).startsWith("highest used_pct 93.13% over 3 rows").contains("ALTER COLUMN ... TYPE bigint");
        assertThat(rows(s).get(0)).containsEntry("sequence_name", "orders_id_seq").containsEntry("sequence_type", "bigint")
                .containsEntry("fed_column", "public.orders.id").containsEntry("column_type", "integer").containsEntry("level", "critical");
        assertThat(rows(s)).extracting(r -> r.get("fed_column")).containsExactlyInAnyOrder("public.orders.id", "public.items.id", "public.events.id");
        // check.sequences, which judges against the sequence's own range, sees it nearly unused: the gap this check closes.
        StepResult own = one(broken, "check.sequences", "");
        assertThat(own.status()).isEqualTo(Status.PASS);

        StepResult fine = one(clean, "check.sequence_column_types", "");
        assertThat(fine.status()).as(fine.message()).isEqualTo(Status.PASS);
        // serial makes an integer sequence for an integer column, identity a bigint one for bigint: no mismatch.
        assertThat(fine.message()).isEqualTo("nothing to judge");
    }

    @Test
    void notValidConstraintsAndDisabledTriggersAreNamed() {
        StepResult nv = one(broken, "check.not_valid_constraints", "");
        assertThat(nv.status()).isEqualTo(Status.WARN);
        assertThat(rows(nv)).extracting(r -> r.get("constraint_name")).containsExactly("orders_amount_positive", "orders_customer_fk");
        assertThat(nv.message()).startsWith("2 found. ").contains("VALIDATE CONSTRAINT");
        assertThat(nv.evidence().expected()).isEqualTo("fewer than 1 (warning)");
        assertThat(one(broken, "check.not_valid_constraints", "{ critical: 2 }").status()).isEqualTo(Status.FAIL);

        StepResult tr = one(broken, "check.disabled_triggers", "");
        assertThat(tr.status()).isEqualTo(Status.WARN);
        assertThat(rows(tr)).extracting(r -> r.get("table_name") + " " + r.get("kind"))
                .contains("orders user trigger")
                .anySatisfy(k -> assertThat(k).startsWith("lines enforces constraint lines_order_id_fkey"));
        assertThat(tr.message()).contains("ENABLE TRIGGER");

        assertThat(one(clean, "check.not_valid_constraints", "").status()).isEqualTo(Status.PASS);
        assertThat(one(clean, "check.disabled_triggers", "").status()).isEqualTo(Status.PASS);
    }

    @Test
    void aPreparedTransactionLeftOpenAndASettingWaitingForARestart() throws Exception {
        String shared = TestPostgres.shared().createDatabase("leftovers_server");
        assertThat(one(shared, "check.prepared_transactions", "").status()).isEqualTo(Status.PASS);
        assertThat(one(shared, "check.pending_restart", "").status()).isEqualTo(Status.PASS);

        // Both are server-wide: a server of its own, which allows two-phase commit.
        Sandbox server = Sandbox.start(SandboxOptions.defaults().withoutPgStatStatements().withSetting("max_prepared_transactions", "2"));
        try {
            String url = server.jdbcUrl();
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (id int)");
                c.setAutoCommit(false);
                st.execute("INSERT INTO t VALUES (1)");
                st.execute("PREPARE TRANSACTION 'left-open-by-a-crashed-coordinator'");
                c.setAutoCommit(true);
            }
            Thread.sleep(1100);
            StepResult px = one(url, "check.prepared_transactions", "{ warning: 1s, critical: 1h }");
            assertThat(px.status()).as(px.message()).isEqualTo(Status.WARN);
            assertThat(rows(px).get(0)).containsEntry("gid", "left-open-by-a-crashed-coordinator").containsEntry("level", "warning");
            assertThat(px.message()).contains("ROLLBACK PREPARED");
            assertThat(one(url, "check.prepared_transactions", "{ warning: 1s, critical: 1s }").status()).isEqualTo(Status.FAIL);
            exec(url, "ROLLBACK PREPARED 'left-open-by-a-crashed-coordinator'");
            assertThat(one(url, "check.prepared_transactions", "").status()).isEqualTo(Status.PASS);

            exec(url, "ALTER SYSTEM SET shared_buffers = '48MB'");
            exec(url, "SELECT pg_reload_conf()");
            Thread.sleep(300);
            StepResult pending = one(url, "check.pending_restart", "");
            assertThat(pending.status()).as(pending.message()).isEqualTo(Status.WARN);
            assertThat(rows(pending).get(0)).containsEntry("setting", "shared_buffers").containsEntry("running_value", "128 MB");
            assertThat(pending.message()).contains("restart it in a maintenance window");
        } finally {
            server.stop();
        }
    }

    @Test
    void minorReleasesBehindAgainstTheShippedListOrTheRunbooks() throws Exception {
        String url = TestPostgres.shared().createDatabase("leftovers_minor");
        StepResult current = one(url, "check.minor_version", "");
        assertThat(current.status()).as(current.message()).isIn(Status.PASS, Status.WARN, Status.FAIL);
        assertThat(rows(current).get(0)).containsEntry("list_as_of", MinorVersionCheck.shipped().getProperty("as_of"));
        int major = ((Number) rows(current).get(0).get("major")).intValue();
        int minor = ((Number) rows(current).get(0).get("minor")).intValue();

        StepResult same = one(url, "check.minor_version", "{ latest: { " + major + ": " + minor + " } }");
        assertThat(same.status()).isEqualTo(Status.PASS);
        StepResult two = one(url, "check.minor_version", "{ latest: { " + major + ": " + (minor + 2) + " } }");
        assertThat(two.status()).isEqualTo(Status.WARN);
        assertThat(two.message()).startsWith("minors_behind 2. ").contains("install the newest minor");
        StepResult far = one(url, "check.minor_version", "{ latest: { " + major + ": " + (minor + 5) + " } }");
        assertThat(far.status()).isEqualTo(Status.FAIL);
        assertThat(rows(far).get(0)).containsEntry("newest", major + "." + (minor + 5)).containsEntry("minors_behind", 5);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> one(url, "check.minor_version", "{ latest: { " + major + ": x } }"))
                .hasMessageContaining("with.latest takes major: minor as whole numbers");
    }

    @Test
    void settingsShowUnitsAsWrittenAndArchivingOffGetsSetupAdvice() throws Exception {
        String url = TestPostgres.shared().createDatabase("leftovers_wording");
        StepResult settings = one(url, "check.settings", "{ expected: { shared_buffers: 64GB, statement_timeout: 0 } }");
        assertThat(rows(settings).get(0).get("actual").toString()).matches("[0-9]+ (kB|MB|GB)");
        assertThat(rows(settings).get(0).get("actual").toString()).doesNotContain("8kB");

        StepResult wal = one(url, "check.wal_archiving", "");
        assertThat(wal.status()).isEqualTo(Status.FAIL);
        assertThat(wal.message()).contains("WAL archiving is not set up", "archive_mode = on").doesNotContain("Read the server log");
        assertThat(wal.evidence().expected()).isEqualTo("fewer than 1 (critical)");
    }
}
