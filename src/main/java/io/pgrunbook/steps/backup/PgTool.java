package io.pgrunbook.steps.backup;

import io.pgrunbook.db.ChildProcesses;
import io.pgrunbook.db.ConnectionSpec;
import io.pgrunbook.db.PgBinaries;
import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pg_dump or pg_restore: found (an explicit path, else the PostgreSQL installation in use), its
 * version read, and run through {@link ChildProcesses}: every connection setting in its environment
 * (the password in PGPASSWORD only), the database name quoted so it cannot be read as a connection
 * string, and killed with pgrunbook.
 */
public final class PgTool {
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?");
    private static final int TAIL_CHARS = 2000;

    private final String name;
    private final Path program;
    private final int major;
    private final String version;

    private PgTool(String name, Path program, int major, String version) {
        this.name = name;
        this.program = program;
        this.major = major;
        this.version = version;
    }

    /** The tool at {@code explicit}, or the one of the PostgreSQL installation pgrunbook finds. */
    public static PgTool find(String name, String explicit) {
        Path program = explicit != null && !explicit.isBlank() ? Path.of(explicit) : PgBinaries.locate().tool(name);
        if (!Files.isRegularFile(program) || !Files.isExecutable(program)) {
            throw PgRunbookException.cannotRun(name + " not found: " + program + " is not an executable file. Give the path of "
                    + name + " or install the PostgreSQL client programs (apt-get install postgresql-client).");
        }
        String output = capture(List.of(program.toString(), "--version"), name);
        Matcher m = VERSION.matcher(output);
        if (!m.find()) {
            throw PgRunbookException.cannotRun("Could not read a version from `" + program + " --version`; it printed: " + output.strip());
        }
        String version = m.group(2) == null ? m.group(1) : m.group(1) + "." + m.group(2);
        return new PgTool(name, program, Integer.parseInt(m.group(1)), version);
    }

    /** A dump made by an older pg_dump than the server may miss what the server has: refuse it (exit 3). */
    public PgTool requireAtLeast(int serverMajor, String serverVersion) {
        if (major < serverMajor) {
            throw PgRunbookException.cannotRun(name + " " + version + " (" + program + ") is older than the server ("
                    + serverVersion + "): " + name + " must be of major version " + serverMajor + " or newer. Install "
                    + "postgresql-client-" + serverMajor + " (apt-get install postgresql-client-" + serverMajor
                    + ", dnf install postgresql" + serverMajor + ") and point pgrunbook at it ("
                    + PgBinaries.BIN_DIR_ENV + " or the " + name.replace('_', '-') + " option).");
        }
        return this;
    }

    public Path program() {
        return program;
    }

    public int major() {
        return major;
    }

    public String version() {
        return version;
    }

    /**
     * -h, -p, -U and -d for the target; never the password. The database goes as a quoted
     * {@code dbname='...'} string: a name such as {@code dbname=app port=5601} stays a name. The
     * other settings (TLS, options...) reach the tool through its environment in {@link #run}.
     */
    public static List<String> connectionArgs(ConnectionSpec spec, String database) {
        List<String> args = new ArrayList<>();
        args.add("--host=" + String.join(",", spec.hosts()));
        args.add("--port=" + String.join(",", spec.ports().stream().map(String::valueOf).toList()));
        args.add("--username=" + spec.user());
        args.add("--dbname=" + ChildProcesses.dbnameConninfo(database));
        return args;
    }

    /**
     * Runs the tool to completion, killing it when {@code cancelled} turns true. Its output goes to
     * {@code log}; a non-zero exit becomes an IOException that quotes the log's end.
     */
    public void run(List<String> args, ConnectionSpec spec, Path log, BooleanSupplier cancelled) throws IOException, InterruptedException {
        run(args, spec, log, cancelled, started -> { });
    }

    /** As {@link #run(List, ConnectionSpec, Path, BooleanSupplier)}; {@code started} learns the child's process first. */
    void run(List<String> args, ConnectionSpec spec, Path log, BooleanSupplier cancelled, Consumer<ProcessHandle> started)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(program.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        ChildProcesses.applyConnection(builder.environment(), spec);
        Process process = ChildProcesses.start(builder);
        try {
            started.accept(process.toHandle());
            while (!process.waitFor(100, TimeUnit.MILLISECONDS)) {
                if (cancelled.getAsBoolean()) {
                    kill(process);
                    throw new IOException(name + " was stopped: the run was interrupted");
                }
            }
        } catch (InterruptedException | RuntimeException e) {
            kill(process);
            throw e;
        }
        if (process.exitValue() != 0) {
            throw new IOException(name + " exited with code " + process.exitValue() + ": " + tail(log));
        }
    }

    /** Runs the tool without a connection (pg_restore reading an archive) and hands its stdout to reader. */
    public <T> T read(List<String> args, Path log, IoFunction<java.io.InputStream, T> reader) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(program.toString());
        command.addAll(args);
        Process process = ChildProcesses.start(new ProcessBuilder(command).redirectError(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));
        T result;
        try (java.io.InputStream in = process.getInputStream()) {
            result = reader.apply(in);
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException e) {
            kill(process);
            throw e;
        }
        if (process.waitFor() != 0) {
            throw new IOException(name + " " + String.join(" ", args) + " exited with code " + process.exitValue() + ": " + tail(log));
        }
        return result;
    }

    @FunctionalInterface
    public interface IoFunction<A, B> {
        B apply(A a) throws IOException;
    }

    private static void kill(Process process) throws InterruptedException {
        ChildProcesses.kill(process);
    }

    static String tail(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            return text.length() <= TAIL_CHARS ? text : "..." + text.substring(text.length() - TAIL_CHARS);
        } catch (IOException e) {
            return "(its output could not be read: " + e.getMessage() + ")";
        }
    }

    private static String capture(List<String> command, String name) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw PgRunbookException.cannotRun("`" + String.join(" ", command) + "` did not answer within 20s");
            }
            return out;
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("Could not run " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PgRunbookException.cannotRun("Interrupted while reading the version of " + name, e);
        }
    }
}
