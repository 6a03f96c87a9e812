package io.pgrunbook.steps.backup;

import io.pgrunbook.engine.StepContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What pg_dump wrote, read back from its archive: the database it dumped, and each table with its rows and data file. */
final class DumpedTables {
    private static final Pattern DUMPED_DATABASE = Pattern.compile("^;\\s+dbname: (.*)$");

    private final StepContext context;
    private final PgTool pgRestore;
    private final String format;

    DumpedTables(StepContext context, PgTool pgRestore, String format) {
        this.context = context;
        this.pgRestore = pgRestore;
        this.format = format;
    }

    /**
     * The tables in the archive (its TOC, read by pg_restore --list) with the rows of each: counted
     * from the directory format's data files as pg_dump wrote them, or for the custom format by
     * reading the archive's data once through pg_restore.
     */
    List<BackupManifest.TableEntry> tables(List<String> toc, List<ArchiveScanner.Scanned> scanned, Path archive, Path log)
            throws IOException, InterruptedException, SQLException {
        ArchiveToc.Tables entries = ArchiveToc.read(toc);
        Map<Long, Long> dataIdToOid = entries.dataIdToOid();
        Map<Long, String> tocNames = entries.tables();
        Map<Long, String[]> names = namesOf(tocNames);
        Map<Long, Long> rowsByOid = new HashMap<>();
        Map<Long, String> fileByOid = new HashMap<>();
        if (format.equals(BackupOptions.DIRECTORY)) {
            Map<String, ArchiveScanner.Scanned> byName = new HashMap<>();
            scanned.forEach(s -> byName.put(s.path(), s));
            for (Map.Entry<Long, Long> e : dataIdToOid.entrySet()) {
                ArchiveScanner.Scanned s = byName.getOrDefault(Dump.DIRECTORY_ARCHIVE + "/" + e.getKey() + ".dat.gz",
                        byName.get(Dump.DIRECTORY_ARCHIVE + "/" + e.getKey() + ".dat"));
                if (s == null) {
                    throw new IOException("pg_dump's table of contents names data entry " + e.getKey() + " but its data file is missing");
                }
                rowsByOid.put(e.getValue(), s.rows());
                fileByOid.put(e.getValue(), s.path());
            }
        } else if (!dataIdToOid.isEmpty()) {
            Map<String, Long> counted = pgRestore.read(List.of("--data-only", "--file=-", archive.toString()), log, CopyBlocks::count);
            for (Long oid : dataIdToOid.values()) {
                String[] n = names.get(oid);
                rowsByOid.put(oid, counted.getOrDefault(n[0] + "." + n[1], 0L));
                fileByOid.put(oid, Dump.CUSTOM_ARCHIVE);
            }
        }
        List<BackupManifest.TableEntry> out = new ArrayList<>();
        for (Long oid : tocNames.keySet()) {
            String[] n = names.get(oid);
            out.add(new BackupManifest.TableEntry(n[0], n[1], rowsByOid.getOrDefault(oid, 0L), fileByOid.get(oid)));
        }
        return out;
    }

    /**
     * The archive names the database pg_dump connected to (its TOC header): it must be the one asked
     * for, or the backup would PASS with another database's contents. Returns the TOC (pg_restore --list).
     */
    List<String> requireDatabase(Path archive, Path log) throws IOException, InterruptedException {
        String asked = context.server().database();
        List<String> toc = pgRestore.read(List.of("--list", archive.toString()), log,
                in -> new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
        String dumped = toc.stream().map(DUMPED_DATABASE::matcher).filter(Matcher::matches).map(m -> m.group(1)).findFirst().orElse(null);
        if (dumped != null && !dumped.equals(asked)) {
            throw new IOException("pg_dump dumped database '" + dumped + "', not the asked '" + asked + "'; nothing was kept");
        }
        return toc;
    }

    /** Schema and name of each dumped table by OID, from the catalog (the TOC's text is ambiguous with spaces). */
    private Map<Long, String[]> namesOf(Map<Long, String> tocNames) throws SQLException {
        Map<Long, String[]> names = new HashMap<>();
        context.inTransaction(true, c -> {
            try (PreparedStatement ps = c.prepareStatement(BackupSql.TABLES_BY_OID)) {
                ps.setArray(1, c.createArrayOf("bigint", tocNames.keySet().toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.put(rs.getLong(1), new String[] {rs.getString(2), rs.getString(3)});
                    }
                }
            }
            return null;
        });
        // A table dropped since the dump: fall back to the TOC's "schema name owner".
        tocNames.forEach((oid, text) -> names.computeIfAbsent(oid, k -> {
            String[] parts = text.split(" ");
            return new String[] {parts[0], String.join(" ", List.of(parts).subList(1, Math.max(2, parts.length - 1)))};
        }));
        return names;
    }
}
