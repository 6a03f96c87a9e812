package io.pgrunbook.steps.backup;

import io.pgrunbook.db.ConnectionSpec;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPInputStream;
import org.postgresql.PGConnection;

/**
 * Level 2 of verify-backup: restore into a scratch database on the target, compare every table's
 * row count with the manifest, check the recorded objects and the extra checks, and drop the
 * scratch database afterwards whatever happened.
 */
final class RestoreDrill {
    record Outcome(List<List<Object>> rows, List<String> problems, Duration restoreTime, String summary) {}

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RestoreDrill.class);

    private final StepContext context;
    private final PgTool pgRestore;
    private final Path backup;
    private final BackupManifest manifest;
    private final String drillDb;
    private final int jobs;
    private final List<String> checks;
    private final List<String> notes = new ArrayList<>();
    private boolean amcheck = true;
    private BooleanSupplier stop = () -> false;

    RestoreDrill(StepContext context, PgTool pgRestore, Path backup, BackupManifest manifest, String drillDb, int jobs, List<String> checks) {
        this.context = context;
        this.pgRestore = pgRestore;
        this.backup = backup;
        this.manifest = manifest;
        this.drillDb = drillDb != null ? drillDb : "pgrunbook_drill_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        this.jobs = jobs;
        this.checks = checks;
    }

    /** Whether pg_amcheck checks the restored database (B-tree indexes and heap); default true. */
    RestoreDrill withAmcheck(boolean on) {
        this.amcheck = on;
        return this;
    }

    /** Also stop (as on cancellation) when {@code stop} turns true: level 1 found a corrupt file meanwhile. */
    RestoreDrill withStop(BooleanSupplier stop) {
        this.stop = stop;
        return this;
    }

    private boolean stopped() {
        return context.isCancelled() || stop.getAsBoolean();
    }

    Outcome run() throws Exception {
        long t = System.nanoTime();
        createScratch();
        t = phase("create scratch database", t);
        List<String> problems = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        Duration restoreTime = Duration.ZERO;
        try {
            Instant start = Instant.now();
            try {
                restore();
            } catch (IOException e) {
                problems.add("restore into scratch database " + drillDb + " failed: " + e.getMessage());
                return new Outcome(rows, problems, Duration.between(start, Instant.now()), "restore failed");
            }
            restoreTime = Duration.between(start, Instant.now());
            t = phase("globals and pg_restore", t);
            // pg_amcheck reads the restored database beside the counts (both only read; its ShareLocks let
            // SELECTs through); its note and problems come after theirs, as when it ran after them.
            List<String> amcheckProblems = new ArrayList<>();
            java.util.concurrent.CompletableFuture<String> amchecked = !amcheck ? null : Background.start("pgrunbook-amcheck",
                    () -> Amcheck.run(pgRestore.program().resolveSibling("pg_amcheck"), context.connectionSpec(), drillDb, jobs, true,
                            this::stopped, amcheckProblems));
            try (Connection c = DriverManager.getConnection(scratchUrl(), context.connectionSpec().properties())) {
                compareCounts(c, rows, problems);
                t = phase("count " + rows.size() + " tables", t);
                compareObjects(c, problems);
                runChecks(c, problems);
                t = phase("objects and checks", t);
            } finally {
                if (amchecked != null) {
                    notes.add(amchecked.join());
                    problems.addAll(amcheckProblems);
                    t = phase("the rest of pg_amcheck", t);
                }
            }
        } finally {
            dropScratch(problems);
            phase("drop scratch database", t);
        }
        long tables = rows.size();
        int outside = OutsideForeignKeys.recorded(manifest).size();
        String summary = String.format(java.util.Locale.ROOT, "restored in %.1f s (measured RTO) into scratch database %s, dropped afterwards; "
                + "%d tables compared, %d objects and %d checks", restoreTime.toMillis() / 1000.0, drillDb, tables,
                (manifest.objects() == null ? 0 : manifest.objects().size()) - outside, checks.size())
                + (outside == 0 ? "" : "; " + outside + " foreign key(s) to tables outside this table-subset backup left out of the drill "
                        + "(the scratch database has no table for them to reference)")
                + (notes.isEmpty() ? "" : "; " + String.join("; ", notes));
        return new Outcome(rows, problems, restoreTime, summary);
    }

    private static long phase(String what, long since) {
        long now = System.nanoTime();
        LOG.debug("verify-backup drill: {} took {} ms", what, (now - since) / 1_000_000);
        return now;
    }

    private void createScratch() throws SQLException {
        context.withoutTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(BackupSql.DATABASE_EXISTS)) {
                ps.setString(1, drillDb);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        throw PgRunbookException.invalid("the drill database " + drillDb + " already exists on target '" + context.targetName()
                                + "'; a restore drill only uses a database it creates itself. Name another (drill_db / --drill-db).");
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + quoteIdent(c, drillDb));
            }
            return null;
        });
    }

    private void dropScratch(List<String> problems) {
        try {
            context.withoutTransaction(c -> {
                try (Statement st = c.createStatement()) {
                    st.execute("DROP DATABASE IF EXISTS " + quoteIdent(c, drillDb)
                            + (context.server().major() >= 13 ? " WITH (FORCE)" : ""));
                }
                return null;
            });
        } catch (SQLException e) {
            problems.add("the scratch database " + drillDb + " could not be dropped (" + e.getMessage() + "); drop it by hand");
        }
    }

    private void restore() throws IOException, InterruptedException, SQLException {
        Path archive = backup.resolve(manifest.archive());
        ConnectionSpec spec = context.connectionSpec();
        Path log = Files.createTempFile("pgrunbook-restore-", ".log");
        Path useList = null;
        try {
            List<String> common = new ArrayList<>(List.of("--exit-on-error", "--no-password"));
            if (!withGlobals()) {
                common.addAll(0, List.of("--no-owner", "--no-acl"));
            }
            common.addAll(PgTool.connectionArgs(spec, drillDb));
            if (manifest.tenant() == null) {
                List<String> args = new ArrayList<>(common);
                args.add("--jobs=" + jobs);
                Set<String> outside = OutsideForeignKeys.recorded(manifest);
                if (!outside.isEmpty()) {
                    List<String> toc = pgRestore.read(List.of("--list", archive.toString()), log,
                            in -> new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
                    useList = Files.createTempFile("pgrunbook-restore-", ".list");
                    Files.write(useList, OutsideForeignKeys.useList(toc, outside, manifest.tables()), StandardCharsets.UTF_8);
                    args.add("--use-list=" + useList);
                }
                args.add(archive.toString());
                pgRestore.run(args, spec, log, this::stopped);
                return;
            }
            // A tenant backup: tables first, then its rows, then indexes and constraints over them.
            List<String> pre = new ArrayList<>(common);
            pre.addAll(List.of("--section=pre-data", archive.toString()));
            pgRestore.run(pre, spec, log, this::stopped);
            try (Connection c = DriverManager.getConnection(scratchUrl(), spec.properties())) {
                for (BackupManifest.TableEntry t : manifest.tables()) {
                    String copy = format(c, BackupSql.COPY_IN, t.schema(), t.name());
                    try (InputStream in = new GZIPInputStream(Files.newInputStream(backup.resolve(t.file())), 1 << 16)) {
                        c.unwrap(PGConnection.class).getCopyAPI().copyIn(copy, in);
                    }
                }
            }
            List<String> post = new ArrayList<>(common);
            post.addAll(List.of("--section=post-data", "--jobs=" + jobs, archive.toString()));
            pgRestore.run(post, spec, log, this::stopped);
        } finally {
            Files.deleteIfExists(log);
            if (useList != null) {
                Files.deleteIfExists(useList);
            }
        }
    }

    /**
     * With the backup's globals applied (missing roles created), the drill restores owners and grants
     * too, so a GRANT to a role that no longer exists fails the drill instead of being skipped. That
     * needs a superuser; anyone else restores without them, and the summary says so.
     */
    private boolean withGlobals() throws SQLException {
        if (manifest.files().stream().noneMatch(f -> f.path().equals(Globals.FILE))) {
            notes.add("owners and grants not verified: the backup has no " + Globals.FILE);
            return false;
        }
        return context.withoutTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(BackupSql.IS_SUPERUSER); ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    notes.add("owners and grants not verified: restoring them needs a superuser");
                    return false;
                }
            }
            try {
                Globals.Applied applied = Globals.apply(c, backup.resolve(Globals.FILE));
                notes.add("owners and grants restored and verified (globals: " + applied.summary() + ")");
                if (!applied.problems().isEmpty()) {
                    notes.add("globals that failed: " + String.join("; ", applied.problems()));
                }
            } catch (IOException e) {
                throw new SQLException("cannot read " + Globals.FILE + ": " + e.getMessage(), e);
            }
            return true;
        });
    }

    private void compareCounts(Connection c, List<List<Object>> rows, List<String> problems) throws SQLException {
        for (BackupManifest.TableEntry t : manifest.tables()) {
            if (ArchiveToc.misreadAttach(t)) {
                continue;
            }
            String sql = format(c, BackupSql.COUNT_ROWS, t.schema(), t.name());
            long restored;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                restored = rs.getLong(1);
            } catch (SQLException e) {
                problems.add("table " + t.qualified() + " cannot be counted in the restored database: " + e.getMessage());
                rows.add(List.of(t.qualified(), t.rows(), -1L, "MISSING"));
                continue;
            }
            boolean same = restored == t.rows();
            rows.add(List.of(t.qualified(), t.rows(), restored, same ? "ok" : "MISMATCH"));
            if (!same) {
                problems.add("table " + t.qualified() + " has " + restored + " rows restored, the manifest says " + t.rows());
            }
        }
    }

    private void compareObjects(Connection c, List<String> problems) throws SQLException {
        if (manifest.objects() == null) {
            return;
        }
        Set<String> present = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(BackupSql.OBJECTS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String kind = rs.getString(1);
                present.add(kind + " " + rs.getString(2) + "." + rs.getString(3) + (kind.startsWith("row level security") ? "" : "." + rs.getString(4)));
            }
        }
        for (String o : manifest.objects()) {
            if (!present.contains(o) && !o.startsWith(OutsideForeignKeys.KIND + " ")) {
                problems.add(o + " existed at backup time but is missing after the restore");
            }
        }
    }

    private void runChecks(Connection c, List<String> problems) throws SQLException {
        for (String check : checks) {
            c.setReadOnly(true);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(check)) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    problems.add("check did not return true: " + check);
                }
            } catch (SQLException e) {
                problems.add("check failed: " + check + ": " + e.getMessage());
            } finally {
                c.setReadOnly(false);
            }
        }
    }

    /** The target's JDBC URL with the scratch database instead of its own (host, port and parameters kept). */
    private String scratchUrl() {
        String url = context.connectionSpec().jdbcUrl();
        int slash = url.indexOf('/', "jdbc:postgresql://".length());
        int query = url.indexOf('?', slash);
        return url.substring(0, slash + 1) + URLEncoder.encode(drillDb, StandardCharsets.UTF_8) + (query < 0 ? "" : url.substring(query));
    }

    private static String quoteIdent(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BackupSql.QUOTE_IDENT)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** A statement whose identifiers the server quotes (format %I): identifiers cannot be bind parameters. */
    private static String format(Connection c, String sql, String schema, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
