package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A sandbox that archives its WAL into a directory, as the PostgreSQL manual's continuous-archiving
 * chapter sets it up: {@code archive_mode = on}, {@code archive_command = 'test ! -f DIR/%f && cp %p DIR/%f'}
 * (never overwrite an archived segment) and an {@code archive_timeout} so an idle server still archives.
 */
public final class SandboxArchive {
    /** The manual's example command; {@code %p} and {@code %f} are the server's, the directory is quoted for the shell. */
    static final String COMMAND = "test ! -f %1$s/%%f && cp %%p %1$s/%%f";

    private SandboxArchive() {}

    /** The options plus WAL archiving into {@code directory}, which is created (and handed to the server user) if need be. */
    public static SandboxOptions archivingTo(SandboxOptions options, Path directory, Duration archiveTimeout) {
        Path dir = directory.toAbsolutePath().normalize();
        if (dir.toString().contains("'")) {
            throw PgRunbookException.invalid("the WAL archive directory " + dir + " contains a single quote; choose another path");
        }
        if (archiveTimeout.isNegative() || archiveTimeout.toSeconds() < 1) {
            throw PgRunbookException.invalid("archive_timeout must be at least 1 second, not " + archiveTimeout);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("Could not create the WAL archive directory " + dir + ": " + e.getMessage()
                    + ". Give a directory the sandbox may write to.", e);
        }
        ServerUser.takeOwnership(dir);
        // archive_command runs as the server's OS user: a parent it cannot enter would make every archive attempt fail.
        if (!ExternalCommand.run(ServerUser.wrap(java.util.List.of("test", "-w", dir.toString(), "-a", "-x", dir.toString())), null,
                Duration.ofSeconds(20)).succeeded()) {
            throw PgRunbookException.cannotRun("the sandbox server's OS user cannot write into the WAL archive " + dir
                    + ": give it access to the directory and every parent (chmod o+x), or choose another directory");
        }
        return options.withSetting("wal_level", "replica")
                .withSetting("archive_mode", "on")
                .withSetting("archive_command", command(dir))
                .withSetting("archive_timeout", archiveTimeout.toSeconds() + "s");
    }

    /** The archive_command that copies a finished segment into {@code directory} unless it is already there. */
    public static String command(Path directory) {
        return String.format(COMMAND, ExternalCommand.shellQuote(directory.toString()));
    }
}
