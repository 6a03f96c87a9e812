package io.pgrunbook.steps.pitr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What pg_basebackup's own backup_manifest says about the WAL a backup needs: the timeline and the
 * LSN range (WAL-Ranges), and the cluster's size (the sum of its files), read with Jackson.
 */
record BaseBackupManifest(int timeline, long startLsn, long endLsn, long totalSize) {
    static final String FILE_NAME = "backup_manifest";

    static BaseBackupManifest read(Path directory) throws IOException {
        Path file = directory.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IOException("no " + FILE_NAME + " in " + directory + ": pg_basebackup did not finish, or this is not a base backup");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + " is not a readable backup manifest: " + e.getMessage(), e);
        }
        JsonNode ranges = root.path("WAL-Ranges");
        if (!ranges.isArray() || ranges.isEmpty()) {
            throw new IOException(file + " has no WAL-Ranges: cannot tell where the backup's WAL starts");
        }
        JsonNode first = ranges.get(0);
        JsonNode last = ranges.get(ranges.size() - 1);
        long size = 0;
        for (JsonNode f : root.path("Files")) {
            size += f.path("Size").asLong();
        }
        try {
            return new BaseBackupManifest(first.path("Timeline").asInt(), Wal.parseLsn(first.path("Start-LSN").asText()),
                    Wal.parseLsn(last.path("End-LSN").asText()), size);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
