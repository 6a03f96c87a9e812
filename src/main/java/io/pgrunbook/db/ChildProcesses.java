package io.pgrunbook.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The one way pgrunbook starts a child tool that connects to a database (pg_dump, pg_restore,
 * pg_dumpall, pg_basebackup, pgbackrest): every connection setting of the target goes into the
 * child's environment (PG* variables, the password in PGPASSWORD only, never on a command line that
 * {@code ps} shows); the database name reaches it in a form no tool can read as a connection string;
 * and the child dies with pgrunbook, whatever kills pgrunbook.
 *
 * <p>Dying with pgrunbook: on Linux the child is started through {@code setpriv --pdeathsig KILL}
 * (util-linux), so the kernel kills it when pgrunbook dies, SIGKILL included; on every platform a
 * shutdown hook kills the children still running when the JVM exits (SIGTERM, SIGHUP, SIGINT).
 * The parent-death signal fires when the <em>thread</em> that started the child ends: callers wait
 * for their child on the thread that started it, as {@code Process.waitFor} does.
 */
public final class ChildProcesses {
    /** Inherited variables that would change where or how a child connects: replaced by the target's own. */
    static final List<String> CONNECTION_VARIABLES = List.of("PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE",
            "PGPASSWORD", "PGSERVICE", "PGAPPNAME", "PGSSLMODE", "PGSSLROOTCERT", "PGSSLCERT", "PGSSLKEY",
            "PGCONNECT_TIMEOUT", "PGOPTIONS", "PGTARGETSESSIONATTRS", "PGREQUIRESSL");

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final List<Path> SETPRIV_PLACES = List.of(Path.of("/usr/bin/setpriv"), Path.of("/bin/setpriv"));
    private static volatile Boolean setprivWorks;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::killAll, "pgrunbook-child-reaper"));
    }

    private ChildProcesses() {}

    /**
     * Puts the target's connection into a child's environment: its own PG* variables replace any
     * inherited ones, so the child connects exactly where, as whom and how (TLS, options, session
     * attributes, timeout) pgrunbook does.
     */
    public static void applyConnection(Map<String, String> env, ConnectionSpec spec) {
        CONNECTION_VARIABLES.forEach(env::remove);
        env.putAll(spec.libpqEnvironment());
    }

    /**
     * The value of a tool's {@code --dbname} for a database name: a one-keyword connection string
     * with the name quoted ({@code dbname='a=b c'}), so a name holding {@code =} or a URI prefix is
     * taken as a name, never as a connection string that points elsewhere.
     */
    public static String dbnameConninfo(String database) {
        return "dbname='" + database.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** The command, prefixed so that the kernel kills it when pgrunbook dies (when the platform can). */
    public static List<String> boundToParent(List<String> command) {
        if (!setprivAvailable()) {
            return command;
        }
        List<String> out = new ArrayList<>(List.of(SETPRIV_PLACES.stream().filter(Files::isExecutable).findFirst().orElseThrow().toString(),
                "--pdeathsig", "KILL", "--"));
        out.addAll(command);
        return out;
    }

    /** Starts the builder's command bound to pgrunbook's life and tracked until it exits. */
    public static Process start(ProcessBuilder builder) throws IOException {
        builder.command(boundToParent(builder.command()));
        Process process = builder.start();
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
        return process;
    }

    /** Kills the child and everything it started, and waits (bounded) for it to be gone. */
    public static void kill(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Children started through this class that are still running. */
    public static List<ProcessHandle> live() {
        return LIVE.stream().filter(Process::isAlive).map(Process::toHandle).toList();
    }

    static boolean setprivAvailable() {
        Boolean works = setprivWorks;
        if (works == null) {
            works = probeSetpriv();
            setprivWorks = works;
        }
        return works;
    }

    private static boolean probeSetpriv() {
        Path setpriv = SETPRIV_PLACES.stream().filter(Files::isExecutable).findFirst().orElse(null);
        if (setpriv == null) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(setpriv.toString(), "--pdeathsig", "KILL", "--", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void killAll() {
        for (Process p : LIVE) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
