package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * PgBouncer's admin console: the virtual database {@value #DATABASE} on the pooler's own port,
 * answering SHOW commands over the simple query protocol only.
 *
 * <p>Read with psql, not pgjdbc: the console reports its server_version as PgBouncer's
 * ("1.18.0/bouncer"), so pgjdbc takes it for a server older than 12 and sends
 * {@code SET extra_float_digits} at connect time, which the console refuses ("SET failed"). psql
 * (libpq) sends nothing of the kind, authenticates as libpq does (SCRAM, ~/.pgpass) and prints
 * NUL-separated fields that need no parsing rules. The password travels in PGPASSWORD only.
 */
public final class PgBouncerConsole {
    public static final String DATABASE = "pgbouncer";
    private static final Pattern SUBJECT = Pattern.compile("[A-Z_]+");

    private PgBouncerConsole() {}

    /** Whether the spec names the admin console rather than a database. */
    public static boolean isConsole(ConnectionSpec spec) {
        return DATABASE.equals(spec.database());
    }

    /**
     * Runs {@code SHOW what} on the console at the spec's host and port, as its user.
     *
     * @return the rows, column name to text value (null for SQL NULL is not distinguished: empty)
     * @throws java.sql.SQLException with the console's message and SQLSTATE 08001 when psql fails
     */
    public static List<Map<String, String>> show(ConnectionSpec spec, String what, Duration timeout) throws java.sql.SQLException {
        if (!SUBJECT.matcher(what).matches()) {
            throw new IllegalArgumentException("not a SHOW subject: " + what);
        }
        Path psql = PgBinaries.locate().tool("psql");
        List<String> command = List.of(psql.toString(), "-X", "-q", "-A", "-z", "-P", "footer=off", "-c", "SHOW " + what);
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        environment(spec, builder.environment(), timeout);
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("pgrunbook-console-", ".out");
            err = Files.createTempFile("pgrunbook-console-", ".err");
            Process process = ChildProcesses.start(builder.redirectOutput(out.toFile()).redirectError(err.toFile()));
            if (!process.waitFor(timeout.toMillis() + 2_000, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new java.sql.SQLException("PgBouncer's admin console did not answer SHOW " + what + " within "
                        + timeout.toSeconds() + " s", "08006");
            }
            if (process.exitValue() != 0) {
                String message = Files.readString(err, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
                throw new java.sql.SQLException("psql on PgBouncer's admin console: " + message, "08001");
            }
            return parse(Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("could not run " + psql + " to read PgBouncer's admin console: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.sql.SQLException("interrupted while reading PgBouncer's admin console", "57014");
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** SHOW CONFIG as key to value. */
    public static Map<String, String> config(ConnectionSpec spec, Duration timeout) throws java.sql.SQLException {
        Map<String, String> config = new LinkedHashMap<>();
        for (Map<String, String> row : show(spec, "CONFIG", timeout)) {
            config.put(row.get("key"), row.getOrDefault("value", ""));
        }
        return config;
    }

    /** "PgBouncer 1.18.0", from SHOW VERSION. */
    public static String version(ConnectionSpec spec, Duration timeout) throws java.sql.SQLException {
        List<Map<String, String>> rows = show(spec, "VERSION", timeout);
        return rows.isEmpty() ? "PgBouncer" : rows.get(0).values().iterator().next().strip();
    }

    /** The pool mode of the spec's database, or empty when this user may not read the console. */
    static Optional<Pooler.ConsoleView> poolMode(ConnectionSpec spec) {
        ConnectionSpec console = spec.withDatabase(DATABASE);
        Duration timeout = Duration.ofSeconds(3);
        try {
            return Optional.of(Pooler.ConsoleView.of(version(console, timeout), spec.database(),
                    show(console, "DATABASES", timeout), config(console, timeout)));
        } catch (java.sql.SQLException | PgRunbookException e) {
            // Not an admin or stats user, not PgBouncer, or no psql here: the mode stays unknown.
            return Optional.empty();
        }
    }

    /** Records one per line, fields NUL-separated (psql -A -z), the first record the header. */
    static List<Map<String, String>> parse(String output) {
        List<Map<String, String>> rows = new ArrayList<>();
        List<String> lines = output.lines().filter(l -> !l.isEmpty()).toList();
        if (lines.isEmpty()) {
            return rows;
        }
        String[] header = lines.get(0).split("\0", -1);
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split("\0", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], i < fields.length ? fields[i] : "");
            }
            rows.add(row);
        }
        return rows;
    }

    // the shared child-tool environment (TLS and every other setting), pointed at the console
    private static void environment(ConnectionSpec spec, Map<String, String> env, Duration timeout) {
        ChildProcesses.applyConnection(env, spec.withDatabase(DATABASE));
        env.remove("PGOPTIONS"); // server options are for PostgreSQL; the console refuses a startup parameter it does not know
        env.put("PGCONNECT_TIMEOUT", String.valueOf(Math.max(2, timeout.toSeconds())));
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file in the system's temp directory
            }
        }
    }
}
