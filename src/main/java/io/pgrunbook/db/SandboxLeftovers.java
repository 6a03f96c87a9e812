package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Sandbox directories that record which process made them, so that a later run can remove what a
 * killed one left behind (SIGKILL runs no shutdown hook): a stopped server's files, or a server still
 * running with nobody left to stop it.
 */
public final class SandboxLeftovers {
    static final String OWNER_FILE = "owner.pid";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private SandboxLeftovers() {}

    /** A new temporary directory named {@code prefix*}, owned by this process. */
    static Path createOwned(String prefix) {
        try {
            Path directory = Files.createTempDirectory(prefix);
            Files.writeString(directory.resolve(OWNER_FILE), String.valueOf(ProcessHandle.current().pid()));
            return directory;
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("Could not create a sandbox directory under "
                    + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stops the server of, and deletes, every {@code prefix*} directory in the temporary directory whose
     * owning process has gone. Directories of live processes (another drill running now) are left alone.
     *
     * @return the directories removed
     */
    public static List<Path> removeStale(String prefix) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> removed = new ArrayList<>();
        List<Path> candidates;
        try (Stream<Path> children = Files.list(tmp)) {
            candidates = children.filter(p -> p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p)).toList();
        } catch (IOException e) {
            return removed;
        }
        for (Path dir : candidates) {
            if (ownerAlive(dir)) {
                continue;
            }
            Path data = dir.resolve("data");
            if (Files.isRegularFile(data.resolve("postmaster.pid"))) {
                PgBinaries binaries = PgBinaries.locate();
                ExternalCommand.run(ServerUser.wrap(List.of(binaries.pgCtl().toString(), "stop", "-D", data.toString(),
                        "-m", "immediate", "-w", "-t", "30")), dir, STOP_TIMEOUT);
            }
            Sandbox.deleteTree(dir);
            removed.add(dir);
        }
        return removed;
    }

    private static boolean ownerAlive(Path dir) {
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve(OWNER_FILE)).strip());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            // No record yet: a directory being created this instant; leave it unless it is old.
            try {
                return Files.getLastModifiedTime(dir).toInstant().isAfter(java.time.Instant.now().minusSeconds(600));
            } catch (IOException gone) {
                return true;
            }
        }
    }
}
