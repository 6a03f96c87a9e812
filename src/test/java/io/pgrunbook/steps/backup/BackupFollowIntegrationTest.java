package io.pgrunbook.steps.backup;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The manifest's hashes and row counts are taken while pg_dump writes (no second pass over the dump),
 * and equal what a scan of the finished backup gives: a table spanning many gzip blocks, a
 * partitioned table, awkward COPY text, an empty table, 200 small tables and a large object. The custom format is
 * hashed after pg_dump (it is not append-only) and still right.
 */
@ExtendWith(TestPostgres.class)
class BackupFollowIntegrationTest {
    private static final Pattern READ_ONCE = Pattern.compile(
            "archive read once: (\\d+) bytes while pg_dump ran, (\\d+) after it exited \\((\\d+) of them in (\\d+) files nobody followed\\); (\\d+) bytes read twice");

    @TempDir
    static Path tmp;

    static final StepRegistry REGISTRY = StepRegistry.load();
    static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();
    static String db;
    static Level before;

    @BeforeAll
    static void seed() throws Exception {
        db = TestPostgres.shared().createDatabase("backup_follow");
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            // About 40 MB of COPY text: hundreds of deflate blocks, and long enough to dump for the follower to read it as it grows.
            s.execute("CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL)");
            s.execute("INSERT INTO big SELECT g, md5(g::text) || repeat(md5((g * 7)::text), 3) FROM generate_series(1, 300000) g");
            s.execute("CREATE TABLE events (id bigint, at date NOT NULL, note text) PARTITION BY RANGE (at)");
            s.execute("CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')");
            s.execute("CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
            s.execute("CREATE TABLE events_other PARTITION OF events DEFAULT");
            s.execute("INSERT INTO events SELECT g, date '2024-06-01' + (g % 900), 'e' || g FROM generate_series(1, 30000) g");
            s.execute("CREATE TABLE awkward (id int, v text)");
            s.execute("INSERT INTO awkward VALUES (1, E'\\\\.'), (2, E'line\\nbreak'), (3, E'\\\\'), (4, ''), (5, NULL), (6, E'tab\\there'),"
                    + " (7, E'\\r\\n\\\\.\\n')");
            s.execute("CREATE TABLE empty_one (id int)");
            // Many small files, most of them written between two listings of the directory.
            s.execute("DO $$ BEGIN FOR i IN 1..200 LOOP EXECUTE format('CREATE TABLE many_%s AS SELECT g AS id FROM generate_series(1, %s) g', i, i);"
                    + " END LOOP; END $$");
            s.execute("SELECT lo_from_bytea(0, convert_to(repeat('large object ', 10000), 'UTF8'))");
        }
        Logger logger = (Logger) LoggerFactory.getLogger(DumpFollower.class);
        before = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        LOG.start();
        logger.addAppender(LOG);
    }

    @AfterAll
    static void detach() {
        Logger logger = (Logger) LoggerFactory.getLogger(DumpFollower.class);
        logger.detachAppender(LOG);
        logger.setLevel(before);
    }

    @Test
    void directoryFormatIsHashedAndCountedAsWrittenAndMatchesAScanAfterwards() throws Exception {
        for (int jobs : List.of(2, 1)) {
            LOG.list.clear();
            Path backup = backedUp(tmp.resolve("dir" + jobs), "jobs: " + jobs);
            BackupManifest m = BackupManifest.read(backup);
            List<ArchiveScanner.Scanned> scan = ArchiveScanner.scan(backup);
            assertThat(m.files()).as("hashes and sizes equal a scan of the finished backup")
                    .containsExactlyElementsOf(scan.stream().map(s -> new BackupManifest.FileEntry(s.path(), s.size(), s.sha256())).toList());
            Map<String, Long> rowsByFile = scan.stream().filter(s -> s.rows() >= 0)
                    .collect(Collectors.toMap(ArchiveScanner.Scanned::path, ArchiveScanner.Scanned::rows));
            for (BackupManifest.TableEntry t : m.tables()) {
                assertThat(t.rows()).as(t.qualified()).isEqualTo(liveCount(t));
                if (t.file() != null) {
                    assertThat(t.rows()).as(t.qualified() + " counted as a scan afterwards counts").isEqualTo(rowsByFile.get(t.file()));
                }
            }
            assertThat(rows(m, "public.big")).isEqualTo(300000);
            assertThat(rows(m, "public.events_2025") + rows(m, "public.events_2026") + rows(m, "public.events_other")).isEqualTo(30000);
            assertThat(rows(m, "public.events")).isZero();
            assertThat(rows(m, "public.awkward")).isEqualTo(7);
            assertThat(rows(m, "public.empty_one")).isZero();
            assertThat(m.tables().stream().filter(t -> t.name().startsWith("many_")).mapToLong(BackupManifest.TableEntry::rows).sum())
                    .isEqualTo(200 * 201 / 2);
            assertThat(m.files()).anyMatch(f -> f.path().matches("dump/blob_\\d+\\.dat\\.gz"));

            long[] read = readOnce();
            long total = m.files().stream().mapToLong(BackupManifest.FileEntry::size).sum();
            assertThat(read[4]).as("no byte read twice").isZero();
            assertThat(read[0] + read[1]).as("every byte of the archive read exactly once").isEqualTo(total);
            assertThat(read[0]).as("the big table's file read while pg_dump wrote it").isPositive();
            long big = m.files().stream().filter(f -> f.path().equals(file(m, "public.big"))).findFirst().orElseThrow().size();
            assertThat(read[2]).as("what nobody followed is small (toc.dat, blobs.toc, globals.sql), not table data").isLessThan(big);

            StepResult v = run("name: v\nsteps:\n  - id: v\n    type: verify-backup\n    with: { path: '" + backup + "' }\n");
            assertThat(v.status()).as(v.message()).isEqualTo(Status.PASS);
        }
    }

    @Test
    void customFormatIsHashedAfterPgDumpBecausePgDumpRewritesItsStart() throws Exception {
        LOG.list.clear();
        Path backup = backedUp(tmp.resolve("custom"), "format: custom");
        BackupManifest m = BackupManifest.read(backup);
        List<ArchiveScanner.Scanned> scan = ArchiveScanner.scan(backup);
        assertThat(m.files()).containsExactlyElementsOf(scan.stream().map(s -> new BackupManifest.FileEntry(s.path(), s.size(), s.sha256())).toList());
        assertThat(rows(m, "public.big")).isEqualTo(300000);
        assertThat(rows(m, "public.awkward")).isEqualTo(7);
        assertThat(LOG.list).as("not followed").noneMatch(e -> e.getFormattedMessage().contains("archive read once"));
    }

    @Test
    void aCorruptFileFoundWhileTheDrillRestoresFailsAsLevelOneAndTheScratchDatabaseIsGone() throws Exception {
        Path backup = backedUp(tmp.resolve("to-corrupt"), "jobs: 2");
        BackupManifest m = BackupManifest.read(backup);
        Path data = backup.resolve(file(m, "public.big"));
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length - 100] ^= 0x01; // near the end: pg_restore may well get far before the hash is known
        Files.write(data, bytes);
        StepResult v = run("name: v\nsteps:\n  - id: v\n    type: verify-backup\n    with: { path: '" + backup + "', drill_db: follow_drill }\n");
        assertThat(v.status()).isEqualTo(Status.FAIL);
        assertThat(v.message()).contains(": 1 problem: file " + file(m, "public.big") + " (the rows of public.big) is corrupt");
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_database WHERE datname = 'follow_drill'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the scratch database dropped").isZero();
        }
    }

    private static Path backedUp(Path dir, String with) throws Exception {
        StepResult r = run("name: b\nsteps:\n  - id: b\n    type: backup\n    with: { dir: '" + dir + "', " + with + " }\n");
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        try (var list = Files.list(dir)) {
            assertThat(list.filter(p -> p.getFileName().toString().endsWith(".partial"))).isEmpty();
        }
        return BackupLayout.latest(dir).orElseThrow().directory();
    }

    private static StepResult run(String yaml) {
        Runbook runbook = new RunbookLoader(REGISTRY).parse(yaml, "t.yaml", Map.of(), Map.of());
        runbook = runbook.withTargetConnection(runbook.defaultTarget(), db);
        return new Engine(REGISTRY).run(runbook, new RunOptions(false, Map.of(), Map.of()), new Cancellation()).steps().get(0);
    }

    /** The follower's own account: read while running, after, of which unfollowed, files unfollowed, read twice. */
    private static long[] readOnce() {
        List<String> lines = LOG.list.stream().map(ILoggingEvent::getFormattedMessage).filter(l -> l.contains("archive read once")).toList();
        assertThat(lines).hasSize(1);
        Matcher m = READ_ONCE.matcher(lines.get(0));
        assertThat(m.find()).as(lines.get(0)).isTrue();
        long[] out = new long[5];
        for (int i = 0; i < 5; i++) {
            out[i] = Long.parseLong(m.group(i + 1));
        }
        return out;
    }

    private static long rows(BackupManifest m, String table) {
        return m.tables().stream().filter(t -> t.qualified().equals(table)).findFirst().orElseThrow().rows();
    }

    private static String file(BackupManifest m, String table) {
        return m.tables().stream().filter(t -> t.qualified().equals(table)).findFirst().orElseThrow().file();
    }

    private static long liveCount(BackupManifest.TableEntry t) throws Exception {
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM ONLY " + t.schema() + "." + t.name())) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
