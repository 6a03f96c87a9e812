package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs an external program with a time limit and captures its output. Output goes to a temporary
 * file rather than a pipe: pg_ctl leaves a daemon behind, and a daemon that inherited a pipe would
 * keep us waiting for an end-of-file that never comes.
 */
final class ExternalCommand {
    static final int TAIL_LINES = 20;

    private ExternalCommand() {}

    /** What a finished command did. */
    record Result(List<String> command, int exitCode, String output) {
        boolean succeeded() {
            return exitCode == 0;
        }

        String describe() {
            return display(command) + " exited with code " + exitCode + tailSection("its output", output);
        }
    }

    /** Runs the command; fails only if it cannot be started or outlives its time limit. */
    static Result run(List<String> command, Path workDir, Duration timeout) {
        Path outputFile = null;
        try {
            outputFile = Files.createTempFile("pgrunbook-cmd-", ".out");
            Process process = new ProcessBuilder(command)
                    .directory(workDir == null ? null : workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .redirectOutput(outputFile.toFile())
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw PgRunbookException.cannotRun(display(command) + " did not finish within "
                        + timeout.toSeconds() + "s and was killed"
                        + tailSection("its output", read(outputFile)));
            }
            return new Result(List.copyOf(command), process.exitValue(), read(outputFile));
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("Could not run " + display(command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PgRunbookException.cannotRun("Interrupted while running " + display(command), e);
        } finally {
            deleteQuietly(outputFile);
        }
    }

    /** Runs the command and turns a non-zero exit into a CANNOT_RUN failure that shows why. */
    static Result runOrFail(List<String> command, Path workDir, Duration timeout, String purpose, Path log) {
        Result result = run(command, workDir, timeout);
        if (!result.succeeded()) {
            throw PgRunbookException.cannotRun("Could not " + purpose + ": " + result.describe()
                    + (log == null ? "" : tailSection(log.toString(), readQuietly(log))));
        }
        return result;
    }

    /** The last lines of a text, indented, under a heading; empty when there is nothing to show. */
    static String tailSection(String heading, String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        List<String> lines = text.strip().lines().collect(Collectors.toList());
        List<String> tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
        return "\n--- last " + tail.size() + " lines of " + heading + " ---\n  " + String.join("\n  ", tail);
    }

    static String readQuietly(Path file) {
        try {
            return file != null && Files.isRegularFile(file) ? read(file) : "";
        } catch (IOException e) {
            return "(could not read " + file + ": " + e.getMessage() + ")";
        }
    }

    static String display(List<String> command) {
        return command.stream()
                .map(arg -> arg.isEmpty() || arg.matches(".*[\\s'\"$`\\\\].*") ? shellQuote(arg) : arg)
                .collect(Collectors.joining(" "));
    }

    /** Quotes one word for /bin/sh, which pg_ctl -o and su -c hand their text to. */
    static String shellQuote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private static java.io.File nullDevice() {
        return new java.io.File("/dev/null");
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temp file of captured output is harmless
            }
        }
    }
}
