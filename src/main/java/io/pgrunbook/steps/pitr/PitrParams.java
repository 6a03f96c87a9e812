package io.pgrunbook.steps.pitr;

import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.steps.backup.BackupToolkit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The parameters the PITR step types share: where the base backup and the WAL archive are. */
final class PitrParams {
    static final ParamSpec ARCHIVE = ParamSpec.optional("archive", ValueKind.STRING, "the WAL archive directory (where archive_command copies segments)");
    static final ParamSpec STANZA = ParamSpec.optional("pgbackrest_stanza", ValueKind.STRING, "a pgBackRest stanza instead of a backup and archive directory");
    static final ParamSpec CONFIG = ParamSpec.optional("pgbackrest_config", ValueKind.STRING, "pgBackRest's configuration file (default /etc/pgbackrest/pgbackrest.conf)");
    static final ParamSpec PROGRAM = ParamSpec.optional("pgbackrest", ValueKind.STRING, "path of pgbackrest (default: found on PATH)");
    static final ParamSpec SEGMENT_SIZE = ParamSpec.optional("wal_segment_size", ValueKind.INTEGER,
            "WAL segment size in bytes when it cannot be read from the backup (default 16777216)");
    static final ParamSpec MAX_RPO = ParamSpec.optional("max_rpo", ValueKind.DURATION,
            "fail when the newest archived segment is older than this (default 15min, seed 002's RPO)");

    private PitrParams() {}

    static String string(Map<String, Object> w, String key) {
        Object v = w.get(key);
        return v == null ? null : String.valueOf(v);
    }

    static long segmentSize(Map<String, Object> w) {
        return w.get("wal_segment_size") instanceof Number n ? n.longValue() : Wal.DEFAULT_SEGMENT_SIZE;
    }

    static java.time.Duration duration(Map<String, Object> w, String key, java.time.Duration fallback) {
        return w.get(key) instanceof java.time.Duration d ? d : fallback;
    }

    static PgBackRest pgBackRest(Map<String, Object> w) throws IOException {
        return new PgBackRest(string(w, "pgbackrest"), string(w, "pgbackrest_config"), string(w, "pgbackrest_stanza"), segmentSize(w));
    }

    /** The newest complete physical backup under root, or null. */
    static Path newestPhysical(Path root) throws IOException {
        return physical(root).stream().findFirst().orElse(null);
    }

    /** Complete physical backups under root, newest first. */
    static List<Path> physical(Path root) throws IOException {
        return BackupToolkit.complete(root, null).stream().filter(BackupToolkit::isPhysical).toList();
    }
}
