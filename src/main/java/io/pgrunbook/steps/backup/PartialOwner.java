package io.pgrunbook.steps.backup;

import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who writes a {@code .partial} backup: a small file inside it naming the host, pgrunbook's process
 * and every child tool it started (pid and start time, so a reused pid is not taken for it). The
 * destination lock proves no pgrunbook is writing; this file proves no child it left is still
 * writing, so the next backup may remove a partial only when both are dead.
 */
final class PartialOwner {
    static final String FILE_NAME = ".pgrunbook-owner";

    private PartialOwner() {}

    /** A process that wrote to a partial, as recorded. */
    record Writer(String host, long pid, String startedAt) {
        String line() {
            return host + " " + pid + " " + startedAt;
        }
    }

    /** Records this pgrunbook as the partial's writer, before any child starts. */
    static void claim(Path partial) throws IOException {
        Files.writeString(partial.resolve(FILE_NAME), describe(ProcessHandle.current()).line() + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    /** Adds a child tool, right after it started. */
    static void addChild(Path partial, ProcessHandle child) {
        try {
            Files.writeString(partial.resolve(FILE_NAME), describe(child).line() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // The child is bound to our life anyway (parent-death signal); the record only helps clean up after a crash.
        }
    }

    /** Removed once the children have exited: the file must not end up in the backup. */
    static void release(Path partial) throws IOException {
        Files.deleteIfExists(partial.resolve(FILE_NAME));
    }

    /**
     * Removes every partial in root that is provably dead: called with the destination lock held (so
     * no pgrunbook is writing), a partial whose recorded writers are all gone is removed. A partial
     * whose child tool still runs stops the backup (exit 3); one written from another host, or with
     * no record, is left and reported.
     *
     * @return the partials removed
     */
    static List<String> cleanStale(Path root) throws IOException {
        List<String> removed = new ArrayList<>();
        for (Path partial : BackupLayout.partials(root)) {
            Path file = partial.resolve(FILE_NAME);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            List<Writer> writers = read(file);
            String host = hostName();
            if (writers.isEmpty() || writers.stream().anyMatch(w -> !w.host().equals(host))) {
                continue;
            }
            Optional<Writer> alive = writers.stream().filter(PartialOwner::alive).findFirst();
            if (alive.isPresent()) {
                throw PgRunbookException.cannotRun("process " + alive.get().pid() + " left by an earlier backup run is still writing "
                        + partial + " (started " + alive.get().startedAt() + "); wait for it to end or stop it (kill "
                        + alive.get().pid() + "), then run the backup again");
            }
            BackupLayout.deleteTree(partial);
            removed.add(partial.getFileName().toString());
        }
        return removed;
    }

    static boolean alive(Writer w) {
        if (w.pid() == ProcessHandle.current().pid()) {
            return false; // this pgrunbook holds the lock: its own earlier backup has ended
        }
        return ProcessHandle.of(w.pid()).filter(ProcessHandle::isAlive)
                .map(h -> h.info().startInstant().map(Instant::toString).orElse("?").equals(w.startedAt()))
                .orElse(false);
    }

    private static List<Writer> read(Path file) throws IOException {
        List<Writer> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] parts = line.strip().split(" ");
            if (parts.length == 3) {
                try {
                    out.add(new Writer(parts[0], Long.parseLong(parts[1]), parts[2]));
                } catch (NumberFormatException ignored) {
                    // a torn line from a crash mid-write: the other lines still count
                }
            }
        }
        return out;
    }

    private static Writer describe(ProcessHandle p) {
        return new Writer(hostName(), p.pid(), p.info().startInstant().map(Instant::toString).orElse("?"));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replace(' ', '_');
        } catch (IOException e) {
            return "localhost";
        }
    }
}
