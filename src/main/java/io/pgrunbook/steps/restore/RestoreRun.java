package io.pgrunbook.steps.restore;

import io.pgrunbook.db.AdvisoryLock;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import io.pgrunbook.steps.backup.Amcheck;
import io.pgrunbook.steps.backup.BackupManifest;
import io.pgrunbook.steps.backup.Backups;
import io.pgrunbook.steps.backup.Globals;
import io.pgrunbook.steps.backup.PgTool;
import io.pgrunbook.steps.restore.RestoreOptions.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One restore: verify, check the target, plan, lock, safety backup, restore, checklist. */
final class RestoreRun {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RestoreRun.class);
    private final StepContext context;
    private long phaseStart = System.nanoTime();
    private final RestoreOptions o;
    private final List<String> notes = new ArrayList<>();

    RestoreRun(StepContext context, RestoreOptions o) {
        this.context = context;
        this.o = o;
    }

    StepOutcome run() throws Exception {
        Path backup = backupPath();
        BackupManifest m;
        try {
            m = BackupManifest.read(backup);
        } catch (BackupManifest.BackupProblem e) {
            return fail("nothing was restored: " + e.getMessage(), List.of());
        }
        PgTool pgRestore = PgTool.find("pg_restore", o.pgRestore());
        requireVersions(m, pgRestore);
        phase("manifest and pg_restore version");
        List<String> problems = Backups.verifyFiles(backup, m, pgRestore, o.jobs());
        phase("verification (SHA-256 of every file, pg_restore --list)");
        if (!problems.isEmpty()) {
            if (!o.force()) {
                return fail(backup + " fails verification, nothing was restored: " + problems.get(0) + (problems.size() > 1 ? " (and "
                        + (problems.size() - 1) + " more)" : "") + ". Restore another backup, or force: true (--force) to restore it anyway", problems);
            }
            notes.add("FORCED: restored although the backup fails verification (" + problems.size() + " problems: " + problems.get(0) + ")");
        }
        Mode mode = o.mode(Backups.isTenant(m));
        String dbName = o.database() != null ? o.database() : context.server().database();
        TargetDatabase db = new TargetDatabase(context.connectionSpec(), dbName);
        boolean own = dbName.equals(context.server().database());
        if (mode != Mode.WHOLE && !own) {
            throw PgRunbookException.invalid("restore: tables and tenant restores go into the target's own database; connect to " + dbName + " instead of naming it");
        }
        List<BackupManifest.TableEntry> selected = select(m, mode);
        String tenant = mode == Mode.TENANT ? m.tenant().value() : null;
        String tenantColumn = mode == Mode.TENANT ? m.tenant().column() : null;
        boolean exists = own || db.exists();
        Marker resumed = exists ? Marker.parse(db.interruptedRestore()) : null;
        boolean resuming = resumed != null && resumed.backup().equals(m.backup()) && mode == Mode.WHOLE;
        Map<String, Long> current = exists ? db.tableRows() : Map.of();
        RestorePlan plan = RestorePlan.of(mode, m, selected, current, exists, tenantColumn, tenant, db);
        phase("target read and plan");
        if (o.dryRun()) {
            String refused = "";
            try {
                refusals(mode, m, db, own, current, selected, resuming);
            } catch (PgRunbookException e) {
                refused = "\nAS GIVEN IT WOULD BE REFUSED: " + e.getMessage();
            }
            return StepOutcome.verdict(Status.PASS, "dry run, nothing changed: " + plan.summary(backup, dbName) + plan.lines() + refused, plan.evidence());
        }
        refusals(mode, m, db, own, current, selected, resuming);
        try (AdvisoryLock ignored = db.lock(context.pooler().sessionsShared())) {
            Map<String, String> historyBefore = null;
            if (mode == Mode.WHOLE && !current.isEmpty()) {
                try (Connection c = db.connect()) {
                    historyBefore = Checklist.history(c);
                }
            }
            Path safety = resuming ? resumed.safety() : safetyBackup(mode, backup, current, selected, tenantColumn, tenant, own);
            phase("lock, schema history and safety backup");
            if (o.globals()) {
                applyGlobals(backup, m, db);
            }
            if (mode == Mode.WHOLE && !o.noOwner()) {
                requireOwners(pgRestore, backup, m, db);
            }
            phase("globals and owners");
            RestoreFailure failure = new RestoreFailure(backup, m, db, mode, safety, selected);
            try {
                restore(mode, pgRestore, backup, m, db, exists, resuming, current, safety, selected, tenantColumn, tenant);
            } catch (IOException | SQLException e) {
                return failure.outcome(e, notes);
            }
            phase("restore");
            StepOutcome outcome = checklist(m, db, selected, tenantColumn, tenant, historyBefore, backup, safety, pgRestore);
            phase("checklist and amcheck");
            return outcome;
        }
    }

    /** -v shows where a restore spends its time (verification, target, safety backup, restore, checklist). */
    private void phase(String what) {
        long now = System.nanoTime();
        LOG.debug("restore: {} took {} ms", what, (now - phaseStart) / 1_000_000);
        phaseStart = now;
    }

    private Path backupPath() throws IOException {
        if (o.path() != null) {
            return Path.of(o.path());
        }
        Path root = Path.of(o.latest());
        return Backups.latest(root).orElseThrow(() -> PgRunbookException.invalid("restore: no complete backup in " + root
                + (Files.isDirectory(root) ? "" : " (no such directory)")));
    }

    /** A backup from a newer server may hold what this one cannot take; pg_restore must read its archive version. */
    private void requireVersions(BackupManifest m, PgTool pgRestore) {
        int backupMajor = major(m.serverVersion());
        if (backupMajor > context.server().major()) {
            throw PgRunbookException.cannotRun("the backup is from PostgreSQL " + m.serverVersion() + ", the target runs "
                    + context.server().version() + ": a dump does not restore into an older major version. Restore into a server of version "
                    + backupMajor + " or newer");
        }
        int dumpMajor = major(m.pgDumpVersion());
        if (pgRestore.major() < dumpMajor) {
            throw PgRunbookException.cannotRun("the backup was written by pg_dump " + m.pgDumpVersion() + ", which pg_restore " + pgRestore.version()
                    + " (" + pgRestore.program() + ") cannot read; install postgresql-client-" + dumpMajor + " and give it with --pg-restore");
        }
    }

    static int major(String version) {
        String digits = version == null ? "" : version.replaceAll("^\\D*(\\d+).*$", "$1");
        return digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }

    private List<BackupManifest.TableEntry> select(BackupManifest m, Mode mode) {
        if (mode == Mode.TENANT) {
            if (!Backups.isTenant(m)) {
                throw PgRunbookException.invalid("restore: " + m.backup() + " is not a tenant backup (format " + m.format()
                        + "); take one with: pgrunbook backup --tenant ID --table ...");
            }
            if (o.tenant() != null && !o.tenant().equals(m.tenant().value())) {
                throw PgRunbookException.invalid("restore: tenant " + o.tenant() + " is absent from backup " + m.backup()
                        + ", which holds tenant " + m.tenant().value() + " only (" + m.tenant().column() + ")");
            }
            if (m.tables().stream().allMatch(t -> t.rows() == 0)) {
                throw PgRunbookException.invalid("restore: tenant " + m.tenant().value() + " has no rows in backup " + m.backup()
                        + ": restoring it would only delete the tenant's live rows; nothing was changed");
            }
            return m.tables();
        }
        if (Backups.isTenant(m)) {
            throw PgRunbookException.invalid("restore: " + m.backup() + " is a tenant backup (tenant " + m.tenant().value()
                    + "): it restores only as a tenant restore (--tenant " + m.tenant().value() + ")");
        }
        List<BackupManifest.TableEntry> all = Backups.tables(m);
        if (mode == Mode.WHOLE) {
            return all;
        }
        Set<BackupManifest.TableEntry> out = new LinkedHashSet<>();
        for (String pattern : o.tables()) {
            String regex = like(pattern);
            List<BackupManifest.TableEntry> hit = all.stream()
                    .filter(t -> (pattern.contains(".") ? t.qualified() : t.name()).matches(regex)).toList();
            if (hit.isEmpty()) {
                throw PgRunbookException.invalid("restore: table " + pattern + " is not in backup " + m.backup() + " (it holds "
                        + String.join(", ", m.tables().stream().limit(12).map(BackupManifest.TableEntry::qualified).toList())
                        + (m.tables().size() > 12 ? ", ..." : "") + ")");
            }
            out.addAll(hit);
        }
        return List.copyOf(out);
    }

    /** A LIKE pattern as a regular expression: % any text, _ any one character. */
    static String like(String pattern) {
        StringBuilder out = new StringBuilder();
        for (char ch : pattern.toCharArray()) {
            out.append(ch == '%' ? ".*" : ch == '_' ? "." : java.util.regex.Pattern.quote(String.valueOf(ch)));
        }
        return out.toString();
    }

    private void refusals(Mode mode, BackupManifest m, TargetDatabase db, boolean own, Map<String, Long> current,
            List<BackupManifest.TableEntry> selected, boolean resuming) {
        if (mode == Mode.WHOLE && !current.isEmpty() && !resuming) {
            long rows = current.values().stream().mapToLong(Long::longValue).sum();
            if (!o.clean()) {
                throw PgRunbookException.invalid("restore: database " + db.name() + " already holds " + current.size() + " tables (" + rows
                        + " rows); replace them with clean: true (--clean), after a safety backup, or restore into a new database (--into NAME)");
            }
            if (!own) {
                throw PgRunbookException.invalid("restore: database " + db.name() + " holds data; to replace it (after a safety backup of it) "
                        + "connect to it: --db .../" + db.name() + " --clean");
            }
            if (db.name().equals(m.database()) && !db.name().equals(o.confirmSource())) {
                throw PgRunbookException.invalid("restore: database " + db.name() + " is the database this backup was taken from, and it holds "
                        + rows + " rows; replacing it needs --clean and its name typed again: --confirm-source " + db.name());
            }
        }
        if (mode == Mode.TABLES) {
            List<String> missing = selected.stream().filter(t -> !current.containsKey(t.qualified())).map(BackupManifest.TableEntry::qualified).toList();
            if (!missing.isEmpty()) {
                throw PgRunbookException.invalid("restore: table(s) " + String.join(", ", missing) + " do not exist in database " + db.name()
                        + "; a table restore replaces rows of existing tables: create them first, or restore the whole database into a new one");
            }
        }
    }

    private Path safetyBackup(Mode mode, Path backup, Map<String, Long> current, List<BackupManifest.TableEntry> selected,
            String tenantColumn, String tenant, boolean own) throws Exception {
        boolean holdsData = current.values().stream().anyMatch(n -> n > 0);
        if (!holdsData || !own) {
            return null;
        }
        if (!o.safetyBackup()) {
            notes.add("NO safety backup (safety_backup: false): what was replaced cannot be put back by pgrunbook");
            return null;
        }
        Map<String, Object> with = new LinkedHashMap<>();
        Path root = o.safetyRoot(backup);
        with.put("dir", root.toString());
        with.put("name", "pre-restore-" + context.server().database());
        with.put("jobs", o.jobs());
        if (mode != Mode.WHOLE) {
            with.put("tables", selected.stream().map(t -> escapeLike(t.schema()) + "." + escapeLike(t.name())).toList());
        }
        if (mode == Mode.TENANT) {
            with.put("tenant", tenant);
            with.put("tenant_column", tenantColumn);
        }
        Backups.Taken taken = Backups.take(context, with, mode == Mode.WHOLE);
        if (!taken.problems().isEmpty()) {
            throw PgRunbookException.cannotRun("the safety backup " + taken.directory() + " fails its own verification (" + taken.problems().get(0)
                    + "); nothing was restored");
        }
        notes.add("safety backup: " + taken.directory());
        return taken.directory();
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private void applyGlobals(Path backup, BackupManifest m, TargetDatabase db) throws SQLException, IOException {
        Path file = Backups.globals(backup, m).orElseThrow(() -> PgRunbookException.invalid("restore: backup " + m.backup()
                + " has no " + Globals.FILE + " (taken before backups kept roles, or with globals: false); create its roles by hand"));
        try (Connection c = db.connectServer()) {
            Globals.Applied applied = Globals.apply(c, file);
            notes.add("globals: " + applied.summary() + (applied.problems().isEmpty() ? "" : " (" + String.join("; ", applied.problems()) + ")"));
        }
    }

    /** Every owner named in the archive must exist, or pg_restore would stop halfway on the first ALTER ... OWNER. */
    private void requireOwners(PgTool pgRestore, Path backup, BackupManifest m, TargetDatabase db) throws Exception {
        Set<String> owners = ArchiveListing.read(pgRestore, Backups.archive(backup, m)).owners();
        List<String> missing = new ArrayList<>();
        try (Connection c = db.connectServer(); PreparedStatement ps = c.prepareStatement(RestoreSql.MISSING_ROLES)) {
            ps.setArray(1, c.createArrayOf("text", owners.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    missing.add(rs.getString(1));
                }
            }
        }
        if (!missing.isEmpty()) {
            throw PgRunbookException.cannotRun("restore: role(s) " + String.join(", ", missing) + " own objects in backup " + m.backup()
                    + " but do not exist on the target server; nothing was restored. Create them with the backup's globals (--globals), "
                    + "by hand, or restore without owners and grants (--no-owner)");
        }
    }

    private void restore(Mode mode, PgTool pgRestore, Path backup, BackupManifest m, TargetDatabase db, boolean exists, boolean resuming,
            Map<String, Long> current, Path safety, List<BackupManifest.TableEntry> selected, String tenantColumn, String tenant) throws Exception {
        switch (mode) {
            case WHOLE -> {
                if (resuming && safety == null && !db.name().equals(context.server().database())) {
                    // Ours alone: the database was new or empty when the interrupted restore began.
                    notes.add("resumed an interrupted restore of " + m.backup() + ": the partly restored database was dropped and restored again");
                    db.drop();
                    db.create(new Marker(m.backup(), null).text());
                } else if (!exists) {
                    db.create(new Marker(m.backup(), null).text());
                } else {
                    db.mark(new Marker(m.backup(), safety).text());
                    if (resuming) {
                        notes.add("resumed an interrupted restore of " + m.backup());
                    }
                }
                boolean clean = o.clean() || resuming;
                WholeRestore.run(pgRestore, db, Backups.archive(backup, m), o.jobs(), clean, o.noOwner(), m.tables().size(), context::isCancelled);
                db.mark(null);
            }
            case TABLES -> {
                List<String[]> tables = selected.stream().map(t -> new String[] {t.schema(), t.name()}).toList();
                Set<String> names = new LinkedHashSet<>(selected.stream().map(BackupManifest.TableEntry::qualified).toList());
                Set<String> sequences = new LinkedHashSet<>();
                try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(RestoreSql.OWNED_SEQUENCES)) {
                    ps.setArray(1, c.createArrayOf("text", names.toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            sequences.add(rs.getString(1) + "." + rs.getString(2));
                        }
                    }
                }
                List<String> entries = ArchiveListing.read(pgRestore, Backups.archive(backup, m)).dataEntries(names, sequences);
                try (Connection c = lockTimeout(db.connect())) {
                    // pg_restore replays a list file in its order: parents before the tables whose foreign keys point at them.
                    List<String> order = TenantRowsRestore.parentsFirst(c, selected).stream().map(BackupManifest.TableEntry::qualified).toList();
                    entries = ArchiveListing.inOrder(entries, order);
                    TableRowsRestore.run(c, pgRestore, Backups.archive(backup, m), tables, entries);
                }
            }
            case TENANT -> {
                try (Connection c = lockTimeout(db.connect())) {
                    TenantRowsRestore.run(c, backup, m, tenantColumn, tenant);
                }
            }
            default -> throw new IllegalStateException("mode " + mode);
        }
    }

    /**
     * TRUNCATE and DELETE on a live database wait for its locks no longer than the step's lock_timeout:
     * queued behind a long transaction, they would otherwise hold up every query that comes after them.
     */
    private Connection lockTimeout(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('lock_timeout', ?, false)")) {
            ps.setString(1, io.pgrunbook.runbook.load.Durations.toSetting(context.step().lockTimeout()));
            ps.execute();
        }
        return c;
    }

    private StepOutcome checklist(BackupManifest m, TargetDatabase db, List<BackupManifest.TableEntry> selected, String tenantColumn,
            String tenant, Map<String, String> historyBefore, Path backup, Path safety, PgTool pgRestore) throws SQLException {
        String reapply = "pgrunbook migrate up --dir " + (o.migrationsDir() != null ? o.migrationsDir() : "<migrations dir>")
                + " --db " + db.display();
        Checklist.Result r;
        boolean amcheckInstalled;
        try (Connection c = db.connect()) {
            r = new Checklist().run(c, m, selected, tenantColumn, tenant, historyBefore, reapply);
            try (PreparedStatement ps = c.prepareStatement(RestoreSql.AMCHECK_INSTALLED); ResultSet rs = ps.executeQuery()) {
                rs.next();
                amcheckInstalled = rs.getBoolean(1);
            }
        }
        List<String> failures = new ArrayList<>(r.failures());
        if (o.amcheck()) {
            notes.add(amcheckInstalled ? Amcheck.run(pgRestore.program().resolveSibling("pg_amcheck"), db.spec(), db.name(), o.jobs(), false,
                    context::isCancelled, failures)
                    : "amcheck not run: the extension is not installed in " + db.name() + " (CREATE EXTENSION amcheck to have it checked)");
        }
        long rows = selected.stream().mapToLong(BackupManifest.TableEntry::rows).sum();
        StringBuilder message = new StringBuilder("restored ").append(backup.getFileName()).append(" into ").append(db.name()).append(": ")
                .append(selected.size()).append(" tables, ").append(rows).append(tenant == null ? " rows" : " rows of tenant " + tenant);
        notes.forEach(n -> message.append("; ").append(n));
        Status status = !failures.isEmpty() ? Status.FAIL : !r.warnings().isEmpty() ? Status.WARN : Status.PASS;
        if (!failures.isEmpty()) {
            message.append(". Checklist FAILED: ").append(String.join("; ", failures));
            if (safety != null) {
                message.append(". To put the target back: ").append(RestoreFailure.putBack(safety, db, o.tables().isEmpty() ? null : o.tables(), tenant != null, db.display()));
            }
        }
        if (!r.warnings().isEmpty()) {
            message.append(". ").append(String.join("; ", r.warnings()));
        }
        Evidence evidence = new Evidence("every item as the backup recorded it", failures.isEmpty() ? "checklist passed" : failures.size() + " item(s) failed",
                List.of("check", "item", "expected", "observed", "status"), r.rows().subList(0, Math.min(200, r.rows().size())), r.rows().size());
        return StepOutcome.verdict(status, message.toString(), evidence);
    }

    private static StepOutcome fail(String message, List<String> problems) {
        List<List<Object>> rows = problems.stream().map(p -> List.<Object>of(p)).toList();
        return StepOutcome.verdict(Status.FAIL, message, new Evidence(null, message, List.of("problem"), rows, rows.size()));
    }
}
