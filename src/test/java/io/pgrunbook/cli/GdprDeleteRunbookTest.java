package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * runbooks/gdpr-delete.yaml end to end on four sandbox databases as shards, each with FK-linked
 * customers, orders and payments: only the one customer's rows go, on every shard, children first,
 * one transaction per shard; plans and dry runs delete nothing; an unreachable shard is ERROR while
 * the others are deleted, and the rerun completes.
 */
@ExtendWith(TestPostgres.class)
class GdprDeleteRunbookTest {
    private static final String RUNBOOK = "runbooks/gdpr-delete.yaml";
    private static final String DOWN = "jdbc:postgresql://127.0.0.1:1/nowhere?user=postgres&connectTimeout=2";
    private static final long CUSTOMER = 42;
    private static final long OTHER = 7;

    private final List<String> shards = new ArrayList<>();

    @BeforeEach
    void shards() throws SQLException {
        for (int i = 0; i < 4; i++) {
            String db = TestPostgres.shared().createDatabase("gdpr_shard" + i);
            exec(db, """
                    CREATE TABLE customers (customer_id bigint PRIMARY KEY, name text NOT NULL);
                    CREATE TABLE orders (order_id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers);
                    CREATE TABLE payments (payment_id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders,
                                           customer_id bigint NOT NULL REFERENCES customers, amount numeric NOT NULL);
                    """);
            // Customer 42 is on every shard but shard2, with i+1 orders of two payments each; customer 7 everywhere.
            exec(db, "INSERT INTO customers VALUES (" + OTHER + ", 'other')");
            exec(db, "INSERT INTO orders SELECT 1000 + o, " + OTHER + " FROM generate_series(1, 3) o");
            exec(db, "INSERT INTO payments SELECT 10 * (1000 + o) + p, 1000 + o, " + OTHER + ", 9.99 FROM generate_series(1, 3) o, generate_series(1, 2) p");
            if (i != 2) {
                exec(db, "INSERT INTO customers VALUES (" + CUSTOMER + ", 'to be forgotten')");
                exec(db, "INSERT INTO orders SELECT o, " + CUSTOMER + " FROM generate_series(1, " + (i + 1) + ") o");
                exec(db, "INSERT INTO payments SELECT 10 * o + p, o, " + CUSTOMER + ", 5 FROM generate_series(1, " + (i + 1) + ") o, generate_series(1, 2) p");
            }
            shards.add(db);
        }
    }

    private List<String> args(List<String> urls, String... more) {
        List<String> a = new ArrayList<>(List.of("run", RUNBOOK, "--no-color"));
        for (int i = 0; i < urls.size(); i++) {
            a.add("--target");
            a.add("shard" + i + "=" + urls.get(i));
        }
        a.addAll(List.of(more));
        return a;
    }

    private CliRun run(List<String> urls, String... more) {
        return CliRun.run(args(urls, more).toArray(String[]::new));
    }

    @Test
    void deletesOnlyThatCustomerOnEveryShardChildrenFirstAndReportsEachTable() throws SQLException {
        CliRun r = run(shards, "--set", "customer_id=" + CUSTOMER, "--yes", "--format", "json");

        assertThat(r.exitCode).as(r.toString()).isZero();
        for (String db : shards) {
            assertThat(rowsOf(db, CUSTOMER)).as(db).isEqualTo(List.of(0L, 0L, 0L));
            assertThat(rowsOf(db, OTHER)).as(db).isEqualTo(List.of(6L, 3L, 1L));
        }
        // The report per shard: rows deleted per table, in the order they were deleted (shard1: 2 orders, 4 payments).
        assertThat(r.out).contains("\"target\": \"shard1\"");
        String json = r.out.replaceAll("\\s+", "");
        assertThat(json).contains("[1,\"DELETEFROMpaymentsWHEREcustomer_id=:customer_id\",4]",
                "[2,\"DELETEFROMordersWHEREcustomer_id=:customer_id\",2]",
                "[3,\"DELETEFROMcustomersWHEREcustomer_id=:customer_id\",1]");

        // Idempotent: a second run deletes nothing more and still proves nothing is left.
        CliRun again = run(shards, "--set", "customer_id=" + CUSTOMER, "--yes");
        assertThat(again.exitCode).as(again.toString()).isZero();
        for (String db : shards) {
            assertThat(rowsOf(db, OTHER)).as(db).isEqualTo(List.of(6L, 3L, 1L));
        }
    }

    @Test
    void planDryRunAndCountOnlyRunsDeleteNothing() throws SQLException {
        CliRun plan = CliRun.run("plan", RUNBOOK, "--set", "customer_id=" + CUSTOMER);
        assertThat(plan.exitCode).as(plan.toString()).isZero();
        assertThat(plan.out).contains("WRITES", "3 statements in one transaction", "DELETE FROM payments");
        assertThat(plan.out.indexOf("DELETE FROM payments")).isLessThan(plan.out.indexOf("DELETE FROM orders"));
        assertThat(plan.out.indexOf("DELETE FROM orders")).isLessThan(plan.out.indexOf("DELETE FROM customers"));

        CliRun dry = run(shards, "--set", "customer_id=" + CUSTOMER, "--dry-run");
        assertThat(dry.exitCode).as(dry.toString()).isZero();

        CliRun counts = run(shards, "--set", "customer_id=" + CUSTOMER, "--set", "dry_run=true", "--yes");
        assertThat(counts.exitCode).as(counts.toString()).isZero();
        assertThat(counts.out).contains("dry_run=true: nothing deleted", "value 'payments 4, orders 2, customers 1'",
                "value 'payments 0, orders 0, customers 0'");
        for (int i = 0; i < shards.size(); i++) {
            assertThat(rowsOf(shards.get(i), CUSTOMER)).as("shard" + i).isEqualTo(i == 2 ? List.of(0L, 0L, 0L)
                    : List.of(2L * (i + 1), (long) i + 1, 1L));
        }
    }

    @Test
    void offATerminalWithoutYesNothingRuns() throws SQLException {
        CliRun r = run(shards, "--set", "customer_id=" + CUSTOMER);

        assertThat(r.exitCode).as(r.toString()).isEqualTo(2);
        assertThat(r.err).contains("delete-customer", "--yes");
        assertThat(rowsOf(shards.get(0), CUSTOMER)).isEqualTo(List.of(2L, 1L, 1L));
    }

    @Test
    void anUnreachableShardIsErrorTheOthersAreDeletedAndTheRerunCompletes() throws SQLException {
        List<String> oneDown = new ArrayList<>(shards);
        oneDown.set(3, DOWN);
        CliRun r = run(oneDown, "--set", "customer_id=" + CUSTOMER, "--yes");

        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.out).contains("shard3").contains("ERROR");
        // The text report says per shard what each DELETE removed (shard1: 4 payments, 2 orders, 1 customer).
        assertThat(r.out).contains("rows affected per statement (one transaction, committed):",
                "4  DELETE FROM payments WHERE customer_id = :customer_id", "2  DELETE FROM orders WHERE customer_id = :customer_id");
        for (int i = 0; i < 3; i++) {
            assertThat(rowsOf(shards.get(i), CUSTOMER)).as("shard" + i).isEqualTo(List.of(0L, 0L, 0L));
        }
        assertThat(rowsOf(shards.get(3), CUSTOMER)).isEqualTo(List.of(8L, 4L, 1L));

        CliRun rerun = run(shards, "--set", "customer_id=" + CUSTOMER, "--yes");
        assertThat(rerun.exitCode).as(rerun.toString()).isZero();
        for (String db : shards) {
            assertThat(rowsOf(db, CUSTOMER)).as(db).isEqualTo(List.of(0L, 0L, 0L));
            assertThat(rowsOf(db, OTHER)).as(db).isEqualTo(List.of(6L, 3L, 1L));
        }
    }

    @Test
    void aShardWhoseLastDeleteFailsKeepsAllItsRows() throws SQLException {
        // Another table still references the customer on shard1: its DELETE FROM customers fails (23503),
        // and the payments and orders deleted before it in the same transaction come back.
        exec(shards.get(1), "CREATE TABLE reviews (customer_id bigint REFERENCES customers); INSERT INTO reviews VALUES (" + CUSTOMER + ")");
        CliRun r = run(shards, "--set", "customer_id=" + CUSTOMER, "--yes");

        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.out).contains("23503");
        assertThat(rowsOf(shards.get(1), CUSTOMER)).isEqualTo(List.of(4L, 2L, 1L));
        assertThat(rowsOf(shards.get(0), CUSTOMER)).isEqualTo(List.of(0L, 0L, 0L));
    }

    @Test
    void theSeedsOrderViolatesTheForeignKeys() throws SQLException {
        try (Connection c = DriverManager.getConnection(shards.get(0)); Statement s = c.createStatement()) {
            assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(
                    () -> s.execute("DELETE FROM customers WHERE customer_id = " + CUSTOMER), SQLException.class).getSQLState())
                    .isEqualTo("23503");
        }
    }

    @Test
    void aCustomerIdThatIsNotAnIntegerIsRefusedBeforeAnyConnection() throws SQLException {
        CliRun r = run(shards, "--set", "customer_id=42 OR true", "--yes");

        assertThat(r.exitCode).as(r.toString()).isEqualTo(2);
        assertThat(r.err).contains("--set customer_id=42 OR true: expected a whole number");
        assertThat(rowsOf(shards.get(0), OTHER)).isEqualTo(List.of(6L, 3L, 1L));
    }

    @Test
    void withoutACustomerEveryStepIsSkippedAndTheRunFails() throws SQLException {
        CliRun r = run(shards, "--yes");

        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.out).contains("no customer given: add --set customer_id=N");
        assertThat(rowsOf(shards.get(0), CUSTOMER)).isEqualTo(List.of(2L, 1L, 1L));
    }

    /** Rows of the customer in payments, orders, customers. */
    private static List<Long> rowsOf(String db, long customer) throws SQLException {
        List<Long> counts = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            for (String table : List.of("payments", "orders", "customers")) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table + " WHERE customer_id = " + customer)) {
                    rs.next();
                    counts.add(rs.getLong(1));
                }
            }
        }
        return counts;
    }

    private static void exec(String db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
