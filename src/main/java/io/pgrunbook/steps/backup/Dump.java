package io.pgrunbook.steps.backup;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.steps.backup.TableSelection.Table;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.postgresql.PGConnection;

/** One backup run: pre-checks, pg_dump (or a tenant export) into the partial directory, manifest, rename. */
final class Dump {
    static final String DIRECTORY_ARCHIVE = "dump";
    static final String CUSTOM_ARCHIVE = "dump.pgdump";
    static final String TENANT_ARCHIVE = "schema.pgdump";

    record Result(Path directory, BackupManifest manifest, Duration duration) {}

    /** What the server said before the dump: which tables, how big, where the WAL was, which objects exist. */
    private record Prelude(List<Table> include, List<Table> exclude, long estimate, String walLsn, List<String[]> objects,
            List<String[]> foreignKeys, String systemIdentifier, Long databaseOid) {}

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Dump.class);

    private final StepContext context;
    private final BackupOptions o;
    private final PgTool pgDump;
    private final PgTool pgRestore;
    private final Path root;
    private final String prefix;
    private final byte[] manifestKey;
    /** pg_dumpall for the roles and grants beside the dump (globals.sql), or null to leave them out. */
    private PgTool pgDumpall;

    Dump(StepContext context, BackupOptions o, PgTool pgDump, PgTool pgRestore, Path root, String prefix) {
        this(context, o, pgDump, pgRestore, root, prefix, null);
    }

    /** @param manifestKey the HMAC key that signs the manifest's digest, or null for a plain SHA-256 */
    Dump(StepContext context, BackupOptions o, PgTool pgDump, PgTool pgRestore, Path root, String prefix, byte[] manifestKey) {
        this.manifestKey = manifestKey;
        this.context = context;
        this.o = o;
        this.pgDump = pgDump;
        this.pgRestore = pgRestore;
        this.root = root;
        this.prefix = prefix;
    }

    /** Also dump the server's roles, memberships and tablespaces (pg_dumpall --globals-only --no-role-passwords). */
    Dump withGlobals(PgTool pgDumpall) {
        this.pgDumpall = pgDumpall;
        return this;
    }

    static List<String> pgDumpArgs(BackupOptions o, List<Table> include, List<Table> exclude, Path partial) {
        List<String> args = new ArrayList<>();
        if (o.format().equals(BackupOptions.CUSTOM)) {
            args.add("--format=custom");
            args.add("--file=" + partial.resolve(CUSTOM_ARCHIVE));
        } else {
            args.add("--format=directory");
            args.add("--jobs=" + o.jobs());
            args.add("--file=" + partial.resolve(DIRECTORY_ARCHIVE));
        }
        if (o.schemaOnly()) {
            args.add("--schema-only");
        }
        include.forEach(t -> args.add("--table=" + t.pgDumpPattern()));
        exclude.forEach(t -> args.add("--exclude-table=" + t.pgDumpPattern()));
        args.add("--no-password");
        return args;
    }

    Result run() throws Exception {
        Instant start = Instant.now();
        long t = System.nanoTime();
        Prelude prelude = context.inTransaction(true, this::prelude);
        t = phase("pre-checks and catalog", t);
        BackupStep.requireSpace(root, prelude.estimate());
        String name = BackupLayout.name(prefix, start);
        Path partial = BackupLayout.partial(root, name);
        Files.createDirectory(partial);
        PartialOwner.claim(partial);
        Path log = Files.createTempFile("pgrunbook-backup-", ".log");
        DumpFollower follower = null;
        // The roles and grants (a second, small child) are dumped while pg_dump runs, not after it.
        AtomicBoolean failed = new AtomicBoolean();
        Path globalsLog = pgDumpall == null ? null : Files.createTempFile("pgrunbook-globals-", ".log");
        CompletableFuture<Void> globals = pgDumpall == null ? null : Background.start("pgrunbook-globals", () -> {
            Globals.dump(pgDumpall, context.connectionSpec(), context.server().database(), partial, globalsLog,
                    () -> context.isCancelled() || failed.get());
            return null;
        });
        try {
            String archive;
            List<BackupManifest.TableEntry> tables;
            if (o.format().equals(BackupOptions.TENANT)) {
                archive = TENANT_ARCHIVE;
                tables = tenantExport(partial, log, prelude.include());
            } else {
                archive = o.format().equals(BackupOptions.CUSTOM) ? CUSTOM_ARCHIVE : DIRECTORY_ARCHIVE;
                List<String> args = pgDumpArgs(o, prelude.include(), prelude.exclude(), partial);
                args.add("--lock-wait-timeout=" + Math.max(1, context.step().lockTimeout().toMillis()));
                args.addAll(PgTool.connectionArgs(context.connectionSpec(), context.server().database()));
                // The manifest's hashes and counts are taken as pg_dump writes, not in a pass after it.
                // (The custom format's file is rewritten at its start when pg_dump ends: it is hashed after.)
                follower = archive.equals(CUSTOM_ARCHIVE) ? null : DumpFollower.directory(partial, o.jobs());
                pgDump.run(args, context.connectionSpec(), log, context::isCancelled, child -> PartialOwner.addChild(partial, child));
                if (follower != null) {
                    follower.writerExited();
                }
                tables = null;
            }
            PartialOwner.release(partial);
            DumpedTables dumpedTables = new DumpedTables(context, pgRestore, o.format());
            List<String> toc = dumpedTables.requireDatabase(partial.resolve(archive), log);
            t = phase(follower == null ? "pg_dump" : "pg_dump, hashing and counting its files as written", t);
            if (globals != null) {
                Background.await(globals);
                t = phase("the rest of pg_dumpall --globals-only", t);
            }
            List<ArchiveScanner.Scanned> scanned;
            if (follower == null) {
                scanned = ArchiveScanner.scan(partial, o.jobs());
                t = phase("hash and count " + scanned.size() + " files on " + o.jobs() + " threads", t);
            } else {
                scanned = follower.finish();
                t = phase("the rest of the " + scanned.size() + " files", t);
            }
            if (tables == null) {
                tables = dumpedTables.tables(toc, scanned, partial.resolve(archive), log);
                t = phase("table of contents and table names", t);
            }
            Set<String> dumped = tables.stream().map(BackupManifest.TableEntry::qualified).collect(Collectors.toSet());
            List<String> objects = OutsideForeignKeys.objects(prelude.objects(), prelude.foreignKeys(), dumped);
            Instant end = Instant.now();
            BackupManifest manifest = new BackupManifest(BackupManifest.VERSION, name, "pgrunbook " + toolVersion(),
                    pgDump.version(), context.server().version(), context.server().database(), context.targetName(),
                    start.toString(), end.toString(), prelude.walLsn(), o.format(), archive, o.recorded(),
                    o.tenant() == null ? null : new BackupManifest.Tenant(o.tenantColumn(), o.tenant()),
                    scanned.stream().map(s -> new BackupManifest.FileEntry(s.path(), s.size(), s.sha256())).toList(),
                    tables, objects, prelude.systemIdentifier(), prelude.databaseOid());
            syncTree(partial);
            ManifestDigest.write(partial, manifest.writeSynced(partial), manifestKey);
            BackupLayout.syncDirectory(partial);
            Path complete = root.resolve(name);
            BackupStep.publish(partial, complete);
            phase("sync, manifest and rename", t);
            return new Result(complete, manifest, Duration.between(start, Instant.now()));
        } catch (Exception | Error e) {
            failed.set(true);
            if (follower != null) {
                follower.close();
            }
            if (globals != null) {
                try {
                    Background.await(globals);
                } catch (Exception | Error ignored) {
                    // pg_dumpall stopped because the backup failed; the backup's own failure is the one to report
                }
            }
            removePartial(partial, e);
            throw e;
        } finally {
            if (follower != null) {
                follower.close();
            }
            Files.deleteIfExists(log);
            if (globalsLog != null) {
                Files.deleteIfExists(globalsLog);
            }
        }
    }

    private static long phase(String what, long since) {
        long now = System.nanoTime();
        LOG.debug("backup: {} took {} ms", what, (now - since) / 1_000_000);
        return now;
    }

    static String toolVersion() {
        try (java.io.InputStream in = Dump.class.getResourceAsStream("/io/pgrunbook/version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private Prelude prelude(Connection c) throws SQLException {
        List<Table> include = TableSelection.resolve(c, o.tables(), "tables");
        List<Table> exclude = TableSelection.resolve(c, o.excludeTables(), "exclude_tables");
        // A tenant export copies each table's own rows (FROM ONLY), so it takes every partition and
        // child too, but no sequences: its schema is the whole database's anyway.
        include = TableSelection.expand(c, include, !o.format().equals(BackupOptions.TENANT));
        exclude = TableSelection.expand(c, exclude, false);
        long estimate;
        if (include.isEmpty()) {
            estimate = BackupStep.scalarLong(c, BackupSql.DATABASE_SIZE);
        } else {
            estimate = BackupStep.scalarLong(c, BackupSql.TABLES_SIZE,
                    c.createArrayOf("text", include.stream().map(Table::qualified).toArray()));
        }
        if (o.schemaOnly()) {
            estimate = 0;
        }
        String lsn;
        try (PreparedStatement ps = c.prepareStatement(BackupSql.WAL_LSN); ResultSet rs = ps.executeQuery()) {
            rs.next();
            lsn = rs.getString(1);
        }
        List<String[]> objects = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(BackupSql.OBJECTS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                objects.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
            }
        }
        List<String[]> foreignKeys = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(BackupSql.FOREIGN_KEYS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                foreignKeys.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)});
            }
        }
        String systemIdentifier;
        Long databaseOid;
        try (PreparedStatement ps = c.prepareStatement(BackupSql.IDENTITY); ResultSet rs = ps.executeQuery()) {
            rs.next();
            systemIdentifier = rs.getString(1);
            databaseOid = rs.getLong(2);
        }
        return new Prelude(include, exclude, estimate, lsn, objects, foreignKeys, systemIdentifier, databaseOid);
    }

    /**
     * The tenant's rows of each table, in one REPEATABLE READ snapshot that pg_dump shares
     * (--snapshot) for the schema, so schema and rows are of the same moment.
     */
    private List<BackupManifest.TableEntry> tenantExport(Path partial, Path log, List<Table> tables) throws Exception {
        Path data = Files.createDirectory(partial.resolve("data"));
        try {
            return context.withoutTransaction(c -> {
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
                try {
                    String snapshot;
                    try (PreparedStatement ps = c.prepareStatement(BackupSql.EXPORT_SNAPSHOT); ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        snapshot = rs.getString(1);
                    }
                    List<String> args = new ArrayList<>(List.of("--schema-only", "--format=custom", "--snapshot=" + snapshot,
                            "--file=" + partial.resolve(TENANT_ARCHIVE), "--no-password",
                            "--lock-wait-timeout=" + Math.max(1, context.step().lockTimeout().toMillis())));
                    args.addAll(PgTool.connectionArgs(context.connectionSpec(), context.server().database()));
                    pgDump.run(args, context.connectionSpec(), log, context::isCancelled, child -> PartialOwner.addChild(partial, child));
                    List<BackupManifest.TableEntry> out = new ArrayList<>();
                    int i = 0;
                    for (Table t : tables) {
                        i++;
                        requireTenantColumn(c, t);
                        String copy;
                        try (PreparedStatement ps = c.prepareStatement(BackupSql.TENANT_COPY_OUT)) {
                            ps.setString(1, t.schema());
                            ps.setString(2, t.name());
                            ps.setString(3, o.tenantColumn());
                            ps.setString(4, o.tenant());
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                copy = rs.getString(1);
                            }
                        }
                        String file = String.format("data/%04d.copy.gz", i);
                        long rows;
                        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(partial.resolve(file)), 1 << 16)) {
                            rows = c.unwrap(PGConnection.class).getCopyAPI().copyOut(copy, gz);
                        }
                        out.add(new BackupManifest.TableEntry(t.schema(), t.name(), rows, file));
                    }
                    c.commit();
                    return out;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException(new IOException("interrupted", e));
                } finally {
                    c.rollback();
                    c.setReadOnly(false);
                    c.setAutoCommit(true);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (!Files.exists(data)) {
                Files.createDirectories(data);
            }
        }
    }

    private void requireTenantColumn(Connection c, Table t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BackupSql.HAS_COLUMN)) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            ps.setString(3, o.tenantColumn());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw io.pgrunbook.error.PgRunbookException.invalid("tenant backup: table " + t.qualified()
                            + " has no column " + o.tenantColumn() + "; list only tenant tables, or set tenant_column");
                }
            }
        }
    }

    /** pg_dump syncs its own files; this covers the tenant export's and every directory entry. */
    private static void syncTree(Path dir) throws IOException {
        for (Path f : ArchiveScanner.files(dir)) {
            try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        try (var walk = Files.walk(dir)) {
            for (Path d : walk.filter(Files::isDirectory).toList()) {
                BackupLayout.syncDirectory(d);
            }
        }
    }

    /** A failed backup must not look complete: remove what it wrote, or say where the marked partial is. */
    private static void removePartial(Path partial, Throwable cause) {
        try {
            BackupLayout.deleteTree(partial);
        } catch (IOException e) {
            cause.addSuppressed(new IOException("the partial backup " + partial + " could not be removed (" + e.getMessage()
                    + "); it is marked .partial and is never taken for a backup; remove it by hand"));
        }
    }
}
