package io.pgrunbook.steps.ttl;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.engine.StepRegistry;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/** Runs ttl.sweep steps through the real loader and engine against a test database. */
final class TtlHarness {
    static final StepRegistry REGISTRY = StepRegistry.load();
    static final Path SEED_SCHEMA = Path.of("runbooks/sample/storage-schema.sql");
    static final String EXPIRED = "SELECT count(*) FROM ext_storage_records WHERE expires_at < now()";
    static final String LIVE = "SELECT count(*) FROM ext_storage_records WHERE expires_at IS NULL OR expires_at >= now()";

    private TtlHarness() {}

    /** A runbook with one ttl.sweep step (id "sweep") whose with: is the given YAML flow mapping body. */
    static Runbook sweep(String db, String with) {
        String yaml = "name: ttl\nsteps:\n  - id: sweep\n    type: ttl.sweep\n    lock_timeout: 1s\n    with: {" + with + "}\n";
        Runbook r = new RunbookLoader(REGISTRY).parse(yaml, "t.yaml", Map.of(), Map.of());
        return r.withTargetConnection(r.defaultTarget(), db);
    }

    static RunReport run(Runbook runbook, Cancellation cancellation) {
        return new Engine(REGISTRY).run(runbook, new RunOptions(false, Map.of(), Map.of()), cancellation);
    }

    static StepResult runStep(String db, String with) {
        return run(sweep(db, with), new Cancellation()).steps().get(0);
    }

    /** A metric's value summed over its label sets (0 when the step reported none). */
    static double metric(StepResult r, String name) {
        return r.metrics().stream().filter(m -> m.name().equals(name)).mapToDouble(io.pgrunbook.report.Metric::value).sum();
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

    /** The seed 001 schema with its 3,000 rows (300 expired in 2025, 450 expiring in 2099), fresh. */
    static void loadSeed(String db) throws Exception {
        exec(db, "DROP TABLE IF EXISTS ext_storage_records, ext_storage_schemas, ext_storage_usage, demo_import_staging CASCADE");
        exec(db, Files.readString(SEED_SCHEMA));
    }

    static void exec(String db, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    static long count(String db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
