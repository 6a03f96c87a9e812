package io.pgrunbook.steps.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * manifest.json, written last: a backup directory without one is not a backup. It records what was
 * dumped, from where, every file with its size and SHA-256, and every table's row count as dumped.
 *
 * @param backup   the backup directory's own name: a manifest copied into another backup is caught
 * @param format   directory, custom or tenant
 * @param archive  the path pg_restore reads (dump, dump.pgdump, schema.pgdump)
 * @param objects  indexes, constraints and row-level-security policies that existed at backup time
 * @param systemIdentifier the server's pg_control system identifier (null when the role may not read it)
 * @param databaseOid      the OID of the database dumped, on that server
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupManifest(
        @JsonProperty("manifest_version") int manifestVersion,
        @JsonProperty("backup") String backup,
        @JsonProperty("tool") String tool,
        @JsonProperty("pg_dump_version") String pgDumpVersion,
        @JsonProperty("server_version") String serverVersion,
        @JsonProperty("database") String database,
        @JsonProperty("target") String target,
        @JsonProperty("started_at") String startedAt,
        @JsonProperty("finished_at") String finishedAt,
        @JsonProperty("wal_lsn") String walLsn,
        @JsonProperty("format") String format,
        @JsonProperty("archive") String archive,
        @JsonProperty("options") Map<String, Object> options,
        @JsonProperty("tenant") Tenant tenant,
        @JsonProperty("files") List<FileEntry> files,
        @JsonProperty("tables") List<TableEntry> tables,
        @JsonProperty("objects") List<String> objects,
        @JsonProperty("system_identifier") String systemIdentifier,
        @JsonProperty("database_oid") Long databaseOid) {

    /** A manifest without the server's identity (older callers). */
    BackupManifest(int manifestVersion, String backup, String tool, String pgDumpVersion, String serverVersion, String database,
            String target, String startedAt, String finishedAt, String walLsn, String format, String archive,
            Map<String, Object> options, Tenant tenant, List<FileEntry> files, List<TableEntry> tables, List<String> objects) {
        this(manifestVersion, backup, tool, pgDumpVersion, serverVersion, database, target, startedAt, finishedAt, walLsn,
                format, archive, options, tenant, files, tables, objects, null, null);
    }

    public static final String FILE_NAME = "manifest.json";
    static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public record FileEntry(@JsonProperty("path") String path, @JsonProperty("size") long size, @JsonProperty("sha256") String sha256) {}

    /** @param file the data file holding its rows, relative to the backup directory (null for a schema-only dump) */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TableEntry(@JsonProperty("schema") String schema, @JsonProperty("name") String name,
            @JsonProperty("rows") long rows, @JsonProperty("file") String file) {
        public String qualified() {
            return schema + "." + name;
        }
    }

    public record Tenant(@JsonProperty("column") String column, @JsonProperty("value") String value) {}

    /** Writes the manifest and forces it to disk before anyone may rename the backup into place; returns its bytes. */
    byte[] writeSynced(Path directory) throws IOException {
        Path file = directory.resolve(FILE_NAME);
        byte[] bytes = JSON.writeValueAsBytes(this);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        return bytes;
    }

    /** Reads a backup's manifest, or says precisely why it cannot be read. */
    public static BackupManifest read(Path directory) throws BackupProblem {
        Path file = directory.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new BackupProblem("no " + FILE_NAME + " in " + directory + ": not a complete pgrunbook backup "
                    + "(an interrupted one, or not a backup at all)");
        }
        BackupManifest m;
        try {
            m = JSON.readValue(file.toFile(), BackupManifest.class);
        } catch (IOException e) {
            throw new BackupProblem(file + " is not a well-formed manifest: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (m.manifestVersion() != VERSION || m.files() == null || m.tables() == null || m.format() == null || m.archive() == null) {
            throw new BackupProblem(file + " is not a well-formed manifest: manifest_version " + VERSION
                    + ", format, archive, files and tables are required");
        }
        return m;
    }

    /** A fault in a backup that a verification reports (exit 1), as opposed to a tool that cannot run. */
    public static final class BackupProblem extends Exception {
        BackupProblem(String message) {
            super(message);
        }
    }
}
