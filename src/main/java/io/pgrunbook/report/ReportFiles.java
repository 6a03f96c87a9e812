package io.pgrunbook.report;

import io.pgrunbook.error.PgRunbookException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Writes reports to files so that a reader (node_exporter, a CI job) never sees half a file: render
 * into a temporary file beside the target, fsync, then rename over the target.
 */
public final class ReportFiles {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReportFiles.class);
    private ReportFiles() {}

    /** Parses {@code FORMAT=PATH}, e.g. {@code junit=target/pgrunbook.xml}. */
    public static ReportSpec parseSpec(String spec) {
        String hint = ": expected FORMAT=PATH with FORMAT one of text, json, junit, prometheus, e.g. junit=report.xml";
        if (spec == null || spec.indexOf('=') < 0) {
            throw PgRunbookException.invalid("invalid report '" + spec + "'" + hint);
        }
        int eq = spec.indexOf('=');
        String formatText = spec.substring(0, eq).trim();
        String pathText = spec.substring(eq + 1).trim();
        if (formatText.isEmpty()) {
            throw PgRunbookException.invalid("invalid report '" + spec + "': the format is missing" + hint);
        }
        ReportFormat format;
        try {
            format = ReportFormat.parse(formatText);
        } catch (PgRunbookException e) {
            throw PgRunbookException.invalid("invalid report '" + spec + "': " + e.getMessage());
        }
        if (pathText.isEmpty()) {
            throw PgRunbookException.invalid("invalid report '" + spec + "': the path is missing" + hint);
        }
        try {
            return new ReportSpec(format, Path.of(pathText));
        } catch (InvalidPathException e) {
            throw PgRunbookException.invalid("invalid report '" + spec + "': bad path: " + e.getReason());
        }
    }

    /**
     * Makes sure a report can be written to {@code spec}'s path before anything runs: its directory is
     * created if need be, so a long run never ends with "directory does not exist".
     *
     * @throws PgRunbookException (exit 3) naming the path and the reason
     */
    public static void prepare(ReportSpec spec) {
        prepare(spec, spec.format().key());
    }

    private static void prepare(ReportSpec spec, String what) {
        Path target = spec.path().toAbsolutePath();
        Path dir = target.getParent();
        String failure = "cannot write the " + what + " report to " + spec.path() + ": ";
        if (Files.isDirectory(target)) {
            throw PgRunbookException.cannotRun(failure + "it is a directory");
        }
        try {
            if (dir != null) {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw PgRunbookException.cannotRun(failure + "cannot create its directory " + dir + ": " + reason(e), e);
        }
        if (dir != null && !Files.isWritable(dir)) {
            throw PgRunbookException.cannotRun(failure + "directory " + dir + " is not writable");
        }
    }

    public static void write(RunReport report, ReportSpec spec, RenderOptions options) {
        write(report, spec.format(), spec.path(), options);
    }

    /**
     * Renders {@code report} to {@code path} atomically. Text is never coloured in a file; for
     * Prometheus the last-success time is carried forward from the file being replaced.
     *
     * @throws PgRunbookException (exit 3) naming the path and the reason; the old file is then untouched
     */
    public static void write(RunReport report, ReportFormat format, Path path, RenderOptions options) {
        RenderOptions o = (options == null ? RenderOptions.defaults() : options).withColor(false).withQuiet(false);
        if (format == ReportFormat.PROMETHEUS) {
            o = o.withPreviousLastSuccess(later(o.previousLastSuccess(), readLastSuccess(path, report.runbook())));
        }
        write(report, ReportRenderer.of(format, o), path, format.key());
    }

    /**
     * Writes any report-like file (an HTML page, a histogram log) the way reports are written: whole or
     * not at all, created with the process umask like every report (0644 under the usual 022), and a
     * file it replaces keeps its mode. Creates the directory if need be.
     */
    public static void writeText(Path path, String what, String content) {
        prepare(new ReportSpec(ReportFormat.TEXT, path), what);
        write(null, (r, out) -> out.write(content), path, what);
    }

    static void write(RunReport report, ReportRenderer renderer, Path path, String what) {
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        String failure = "cannot write the " + what + " report to " + path + ": ";
        if (dir == null || !Files.isDirectory(dir)) {
            throw PgRunbookException.cannotRun(failure + "directory " + dir + " does not exist");
        }
        if (Files.isDirectory(target)) {
            throw PgRunbookException.cannotRun(failure + "it is a directory");
        }
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                Writer out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8));
                renderer.render(report, out);
                out.flush();
                channel.force(true);
            }
            keepPermissions(target, temp);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(dir);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp);
            throw PgRunbookException.cannotRun(failure + reason(e), e);
        }
    }

    /**
     * The {@code pgrunbook_last_success_timestamp_seconds} of {@code runbook} in an existing metrics
     * file, or null: a missing, unreadable or garbled file only loses the carried-forward value.
     */
    static Instant readLastSuccess(Path path, String runbook) {
        if (path == null || !Files.isRegularFile(path)) {
            return null;
        }
        String want = runbook == null ? "" : runbook;
        // a lenient decoder: a corrupt file must not stop this run's metrics being written
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(path), StandardCharsets.UTF_8))) {
            Instant found = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                Instant value = PrometheusSample.lastSuccess(line, want);
                if (value != null) {
                    found = value;
                }
            }
            return found;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    // the temp file is created 0600-ish by umask; a replaced file keeps the mode its readers rely on
    private static void keepPermissions(Path target, Path temp) {
        try {
            if (Files.exists(target) && Files.getFileAttributeView(target, PosixFileAttributeView.class) != null) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(target);
                Files.setPosixFilePermissions(temp, perms);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Best effort: the report itself matters more than its mode.
            LOG.debug("report {}: could not give it the mode of the file it replaces: {}", target, e.toString());
        }
    }

    // without this a crash right after the rename could still lose the new directory entry
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            // Not every OS or file system lets a directory be opened and synced.
            LOG.debug("report directory {}: not synced: {}", dir, e.toString());
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // nothing better to do: the original failure is the one worth reporting
        }
    }

    private static String reason(Throwable e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
