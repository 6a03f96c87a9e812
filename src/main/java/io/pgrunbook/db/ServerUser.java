package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * PostgreSQL refuses to run as root (initdb and pg_ctl both exit with "cannot be run as root").
 * When this JVM is root, sandbox commands run as the {@value #NAME} OS user instead, and the
 * sandbox directory is handed to that user.
 */
final class ServerUser {
    static final String NAME = "postgres";

    private static final List<Path> RUNUSER_LOCATIONS = List.of(Path.of("/usr/sbin/runuser"), Path.of("/sbin/runuser"),
            Path.of("/usr/bin/runuser"), Path.of("/bin/runuser"));
    private static volatile Boolean jvmIsRoot;

    private ServerUser() {}

    static boolean jvmIsRoot() {
        Boolean cached = jvmIsRoot;
        if (cached == null) {
            cached = "root".equals(System.getProperty("user.name")) || "0".equals(uid());
            jvmIsRoot = cached;
        }
        return cached;
    }

    /** The command as it must be run: unchanged, or wrapped to run as {@value #NAME} when we are root. */
    static List<String> wrap(List<String> command) {
        if (!jvmIsRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>();
        RUNUSER_LOCATIONS.stream().filter(Files::isExecutable).findFirst().ifPresentOrElse(runuser -> {
            wrapped.addAll(List.of(runuser.toString(), "-u", NAME, "--"));
            wrapped.addAll(command);
        }, () -> {
            // su hands its -c text to a shell, so every word is quoted.
            String line = command.stream().map(ExternalCommand::shellQuote).collect(Collectors.joining(" "));
            wrapped.addAll(List.of("su", "-s", "/bin/sh", NAME, "-c", line));
        });
        return wrapped;
    }

    /** Gives the directory tree to {@value #NAME} when we are root; otherwise a no-op. */
    static void takeOwnership(Path dir) {
        if (!jvmIsRoot()) {
            return;
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            UserPrincipal owner = FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(NAME);
            for (Path path : (Iterable<Path>) tree::iterator) {
                Files.setOwner(path, owner);
            }
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("Running as root, so the sandbox must run as the OS user '"
                    + NAME + "', but " + dir + " could not be given to it (" + e + "). Create the user "
                    + "(installing the postgresql package does) or run pgrunbook as a non-root user.", e);
        }
    }

    private static String uid() {
        try {
            return ExternalCommand.run(List.of("id", "-u"), null, Duration.ofSeconds(10)).output().strip();
        } catch (RuntimeException e) {
            return "";
        }
    }
}
