package io.pgrunbook.steps.pitr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgrunbook.db.ServerUserCommand;
import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pgBackRest stanza as a drill source: its newest backup ({@code pgbackrest info --output=json}),
 * its WAL archive ({@code repo-ls --recurse --output=json}, history files through {@code repo-get}),
 * and {@code pgbackrest restore --type=time|lsn|name|default} into the drill's data directory, which
 * writes the restore_command itself. pgBackRest runs as the OS user the sandbox server runs as, since
 * the restored files must be theirs.
 */
final class PgBackRest implements DrillSource {
    private static final Duration INFO_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration RESTORE_TIMEOUT = Duration.ofHours(6);
    /** Only errors on stderr; nothing on stdout but the JSON asked for. */
    private static final List<String> QUIET = List.of("--log-level-console=off", "--log-level-stderr=error");

    private final String program;
    private final String config;
    private final String stanza;
    private final long segmentSize;
    private final JsonNode backup;
    private final JsonNode oldest;
    private final String archiveId;
    private final Long systemId;

    PgBackRest(String program, String config, String stanza, long segmentSize) throws IOException {
        this.program = program == null ? "pgbackrest" : program;
        this.config = config;
        this.stanza = stanza;
        this.segmentSize = segmentSize;
        JsonNode info = json(run(List.of("info", "--output=json"), INFO_TIMEOUT));
        JsonNode s = info.isArray() && !info.isEmpty() ? info.get(0) : info;
        if (s.path("status").path("code").asInt() != 0 && s.path("backup").isEmpty()) {
            throw new DrillFailure("pgBackRest stanza " + stanza + ": " + s.path("status").path("message").asText("no status"));
        }
        JsonNode backups = s.path("backup");
        if (!backups.isArray() || backups.isEmpty()) {
            throw new DrillFailure("pgBackRest stanza " + stanza + " has no backup to drill from");
        }
        this.backup = backups.get(backups.size() - 1);
        this.oldest = backups.get(0);
        JsonNode archives = s.path("archive");
        this.archiveId = archives.isArray() && !archives.isEmpty() ? archives.get(archives.size() - 1).path("id").asText() : null;
        JsonNode dbs = s.path("db");
        this.systemId = dbs.isArray() && !dbs.isEmpty() ? dbs.get(dbs.size() - 1).path("system-id").asLong() : null;
    }

    @Override
    public String describe() {
        return "pgBackRest stanza " + stanza + " backup " + backup.path("label").asText() + (config == null ? "" : " (" + config + ")");
    }

    @Override
    public String label() {
        return stanza;
    }

    @Override
    public Wal.Start start() {
        Wal.Segment s = Wal.parseSegment(backup.path("archive").path("start").asText(), segmentSize);
        return new Wal.Start(s == null ? 1 : s.timeline(), Wal.parseLsn(backup.path("lsn").path("start").asText()));
    }

    /** Where the oldest backup the stanza keeps starts: the archive must be continuous from there. */
    Wal.Start oldestStart() {
        Wal.Segment s = Wal.parseSegment(oldest.path("archive").path("start").asText(), segmentSize);
        return new Wal.Start(s == null ? 1 : s.timeline(), Wal.parseLsn(oldest.path("lsn").path("start").asText()));
    }

    @Override
    public long endLsn() {
        return Wal.parseLsn(backup.path("lsn").path("stop").asText());
    }

    @Override
    public Instant backupEnd() {
        return Instant.ofEpochSecond(backup.path("timestamp").path("stop").asLong());
    }

    @Override
    public Long systemId() {
        return systemId;
    }

    @Override
    public long estimatedSize() {
        return backup.path("info").path("size").asLong();
    }

    /** pgBackRest checks its own files on restore (every file's checksum); nothing to read beforehand. */
    @Override
    public List<String> storedProblems() {
        return backup.path("error").asBoolean(false)
                ? List.of("pgBackRest recorded page checksum errors in backup " + backup.path("label").asText()) : List.of();
    }

    @Override
    public WalArchive archive() throws IOException {
        if (archiveId == null) {
            return WalArchive.of("pgBackRest stanza " + stanza, segmentSize, List.of(), Map.of());
        }
        String dir = "archive/" + stanza + "/" + archiveId;
        JsonNode listing = json(run(List.of("repo-ls", "--recurse", "--output=json", dir), INFO_TIMEOUT));
        List<WalArchive.ArchivedFile> files = new ArrayList<>();
        Map<Integer, String> histories = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = listing.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!"file".equals(e.getValue().path("type").asText())) {
                continue;
            }
            String name = e.getKey().substring(e.getKey().lastIndexOf('/') + 1);
            int tli = Wal.historyTimeline(name);
            if (tli > 0) {
                histories.put(tli, run(List.of("repo-get", dir + "/" + name), INFO_TIMEOUT));
            } else {
                files.add(new WalArchive.ArchivedFile(name, e.getValue().path("size").asLong(),
                        Instant.ofEpochSecond(e.getValue().path("time").asLong()), null));
            }
        }
        return WalArchive.of("pgBackRest stanza " + stanza + " (" + dir + ")", segmentSize, files, histories);
    }

    @Override
    public Map<String, String> restore(Path sandboxDirectory, PitrTarget target) throws IOException {
        Path data = sandboxDirectory.resolve("data");
        Files.createDirectories(data);
        ServerUserCommand.takeOwnership(sandboxDirectory);
        List<String> args = new ArrayList<>(List.of("--pg1-path=" + data, "--set=" + backup.path("label").asText(), "--archive-mode=off"));
        args.add("restore");
        args.addAll(target.pgBackRestOptions());
        run(args, RESTORE_TIMEOUT);
        return Map.of();
    }

    private String run(List<String> args, Duration timeout) throws IOException {
        List<String> command = new ArrayList<>(List.of(program));
        if (config != null) {
            command.add("--config=" + config);
        }
        command.add("--stanza=" + stanza);
        command.addAll(QUIET);
        command.addAll(args);
        ServerUserCommand.Outcome r;
        try {
            r = ServerUserCommand.run(command, Path.of(System.getProperty("java.io.tmpdir")), timeout);
        } catch (PgRunbookException e) {
            if (e.getMessage() != null && e.getMessage().contains("No such file")) {
                throw PgRunbookException.cannotRun(program + " is not installed: install pgBackRest (apt-get install pgbackrest) "
                        + "or give its path (pgbackrest parameter)", e);
            }
            throw e;
        }
        if (!r.succeeded()) {
            throw new DrillFailure("pgbackrest " + String.join(" ", args) + " exited with code " + r.exitCode() + ": " + r.output().strip());
        }
        return r.output();
    }

    private static JsonNode json(String text) throws IOException {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new IOException("pgbackrest printed no JSON: " + text.strip(), e);
        }
    }
}
