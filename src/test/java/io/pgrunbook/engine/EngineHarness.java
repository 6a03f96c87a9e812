package io.pgrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.report.RenderOptions;
import io.pgrunbook.report.ReportFormat;
import io.pgrunbook.report.ReportRenderer;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

/** Loads runbooks from YAML text, points their targets at test databases and runs them with the real engine. */
final class EngineHarness {
    static final StepRegistry REGISTRY = StepRegistry.load();

    private EngineHarness() {}

    static Runbook parse(String yaml) {
        return new RunbookLoader(REGISTRY).parse(yaml, "t.yaml", Map.of(), Map.of());
    }

    /** Points every target of the runbook at one connection string. */
    static Runbook pointAll(Runbook runbook, String connection) {
        Runbook out = runbook;
        for (String name : runbook.targets().keySet()) {
            out = out.withTargetConnection(name, connection);
        }
        return out;
    }

    static RunReport run(String yaml, String connection) {
        return run(pointAll(parse(yaml), connection));
    }

    static RunReport run(Runbook runbook) {
        return run(runbook, false, Map.of(), new Cancellation());
    }

    static RunReport run(Runbook runbook, boolean lock, Map<String, String> env, Cancellation cancellation) {
        return new Engine(REGISTRY).run(runbook, new RunOptions(lock, env, Map.of()), cancellation);
    }

    static StepResult step(RunReport report, String id) {
        return report.steps().stream().filter(s -> s.stepId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no step '" + id + "' in " + report.steps()));
    }

    static String render(RunReport report, ReportFormat format) {
        StringWriter out = new StringWriter();
        try {
            ReportRenderer.of(format, RenderOptions.defaults()).render(report, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static void exec(String jdbcUrl, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    static Object scalar(String jdbcUrl, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as("a row from %s", sql).isTrue();
            return rs.getObject(1);
        }
    }

    /** How many other sessions are running a statement whose text contains {@code fragment}. */
    static int activeQueries(String jdbcUrl, String fragment) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                        + " AND pid <> pg_backend_pid() AND strpos(query, ?) > 0")) {
            ps.setString(1, fragment);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Waits (polling every 20 ms) until another session runs a statement containing {@code fragment}. */
    static void awaitActiveQuery(String jdbcUrl, String fragment, Duration max) throws Exception {
        long until = System.nanoTime() + max.toNanos();
        while (activeQueries(jdbcUrl, fragment) == 0) {
            if (System.nanoTime() > until) {
                throw new AssertionError("no session started '" + fragment + "' within " + max);
            }
            Thread.sleep(20);
        }
    }

    /** A loopback port nothing listens on (it was free a moment ago). */
    static int deadPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long millis(Duration d) {
        return d.toMillis();
    }
}
