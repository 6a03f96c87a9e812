package io.pgrunbook.steps.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import io.pgrunbook.steps.backup.Backups;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

/** Runs backup and restore steps through the engine against real databases, as the CLI does. */
final class RestoreFixture {
    static final StepRegistry REGISTRY = StepRegistry.load();

    private RestoreFixture() {}

    /** An orders/items schema with serial keys, a foreign key, RLS (enabled and forced) and a policy, 10 tenants. */
    static void seed(String url, int orders) throws Exception {
        exec(url, """
                CREATE TABLE orders (id bigserial PRIMARY KEY, tenant_id int NOT NULL, note text NOT NULL);
                CREATE INDEX orders_tenant ON orders (tenant_id);
                CREATE TABLE items (id bigserial PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id), tenant_id int NOT NULL,
                                    qty int CHECK (qty > 0));
                CREATE INDEX items_tenant ON items (tenant_id);
                ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
                ALTER TABLE orders FORCE ROW LEVEL SECURITY;
                CREATE POLICY tenant_rows ON orders USING (tenant_id = current_setting('app.tenant', true)::int);
                CREATE SCHEMA audit;
                CREATE TABLE audit.events (id bigserial PRIMARY KEY, what text);
                INSERT INTO audit.events (what) SELECT 'e' || g FROM generate_series(1, 25) g;
                """);
        exec(url, "INSERT INTO orders (tenant_id, note) SELECT g % 10, 'order ' || g FROM generate_series(1, " + orders + ") g");
        exec(url, "INSERT INTO items (order_id, tenant_id, qty) SELECT id, tenant_id, 1 + id % 3 FROM orders");
    }

    static RunReport run(String yaml, String url) {
        Runbook runbook = new RunbookLoader(REGISTRY).parse(yaml, "t.yaml", Map.of(), Map.of());
        runbook = runbook.withTargetConnection(runbook.defaultTarget(), url);
        return new Engine(REGISTRY).run(runbook, new RunOptions(false, Map.of(), Map.of()), new Cancellation());
    }

    static RunReport run(String yaml, String url, Cancellation cancellation) {
        Runbook runbook = new RunbookLoader(REGISTRY).parse(yaml, "t.yaml", Map.of(), Map.of());
        runbook = runbook.withTargetConnection(runbook.defaultTarget(), url);
        return new Engine(REGISTRY).run(runbook, new RunOptions(false, Map.of(), Map.of()), cancellation);
    }

    /** A backup of the database at url into dir (extra: more with: entries), asserted to pass; its directory. */
    static Path backup(String url, Path dir, String extra) throws Exception {
        RunReport r = run("name: b\nsteps:\n  - id: b\n    type: backup\n    timeout: 5min\n    with: { dir: '" + dir + "'"
                + (extra.isEmpty() ? "" : ", " + extra) + " }\n", url);
        assertThat(step(r).status()).as(step(r).message()).isEqualTo(Status.PASS);
        return Backups.latest(dir).orElseThrow();
    }

    static RunReport restore(String url, String with) {
        return run("name: r\nsteps:\n  - id: r\n    type: restore\n    timeout: 5min\n    with: { " + with + " }\n", url);
    }

    static StepResult step(RunReport r) {
        return r.steps().get(0);
    }

    static void exec(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static long count(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String text(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The JDBC URL of another database on the same server. */
    static String otherDatabase(String url, String name) {
        int slash = url.indexOf('/', "jdbc:postgresql://".length());
        int query = url.indexOf('?', slash);
        return url.substring(0, slash + 1) + name + (query < 0 ? "" : url.substring(query));
    }

    /** The database name in a JDBC URL. */
    static String nameOf(String url) {
        int slash = url.indexOf('/', "jdbc:postgresql://".length());
        int query = url.indexOf('?', slash);
        return url.substring(slash + 1, query < 0 ? url.length() : query);
    }
}
