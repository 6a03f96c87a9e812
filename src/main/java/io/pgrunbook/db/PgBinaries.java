package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A PostgreSQL installation's bin directory: where initdb, pg_ctl, pg_dump and psql live. Found
 * in this order: {@value #BIN_DIR_ENV}, PATH, the newest /usr/lib/postgresql/N/bin (Debian,
 * Ubuntu), the newest /usr/pgsql-N/bin (RHEL, PGDG packages).
 */
public final class PgBinaries {
    public static final String BIN_DIR_ENV = "PGRUNBOOK_PG_BIN";

    /** Where packaged installations keep one bin directory per major version: parent/prefixN/bin. */
    public record VersionedRoot(Path parent, String prefix) {
        public String pattern() {
            return parent.resolve(prefix + "*").resolve("bin").toString();
        }
    }

    public static final List<VersionedRoot> DEFAULT_ROOTS = List.of(
            new VersionedRoot(Path.of("/usr/lib/postgresql"), ""),
            new VersionedRoot(Path.of("/usr"), "pgsql-"));

    private static final String INSTALL_ADVICE = "Install the PostgreSQL server: "
            + "`apt-get install -y postgresql` on Debian/Ubuntu, `dnf install postgresql-server` on RHEL/Fedora, "
            + "or set " + BIN_DIR_ENV + " to the directory that contains initdb and pg_ctl.";
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)");
    private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_]+");

    private final Path binDir;
    private volatile Integer majorVersion;

    private PgBinaries(Path binDir) {
        this.binDir = binDir;
    }

    /** Finds the installation using this process's environment and the standard locations. */
    public static PgBinaries locate() {
        return locate(System.getenv(), DEFAULT_ROOTS);
    }

    /** Finds the installation with an explicit environment (PATH, {@value #BIN_DIR_ENV}) and roots. */
    public static PgBinaries locate(Map<String, String> env, List<VersionedRoot> roots) {
        String explicit = env.get(BIN_DIR_ENV);
        if (explicit != null && !explicit.isBlank()) {
            // An explicit setting that is wrong must fail loudly, not silently fall back elsewhere.
            return at(Path.of(explicit), BIN_DIR_ENV + "=" + explicit);
        }
        List<String> pathDirs = splitPath(env.get("PATH"));
        Optional<PgBinaries> found = onPath(pathDirs).or(() -> inRoots(roots));
        return found.orElseThrow(() -> PgRunbookException.cannotRun(
                "PostgreSQL server binaries not found: need initdb and pg_ctl. Looked in "
                        + BIN_DIR_ENV + " (not set), PATH " + (pathDirs.isEmpty() ? "(empty)" : pathDirs)
                        + ", " + roots.stream().map(VersionedRoot::pattern).toList() + ". " + INSTALL_ADVICE));
    }

    /** Uses the given bin directory, which must contain initdb and pg_ctl. */
    public static PgBinaries at(Path binDir) {
        return at(binDir, binDir.toString());
    }

    private static PgBinaries at(Path binDir, String source) {
        List<String> missing = missingServerTools(binDir);
        if (!missing.isEmpty()) {
            throw PgRunbookException.cannotRun(source + " is not a PostgreSQL bin directory: "
                    + (Files.isDirectory(binDir) ? "it has no executable " + String.join(" or ", missing)
                            : "no such directory")
                    + ". Point " + BIN_DIR_ENV + " at the directory that contains initdb and pg_ctl "
                    + "(e.g. /usr/lib/postgresql/15/bin or /usr/pgsql-15/bin), or unset it to search "
                    + "PATH and the standard locations. " + INSTALL_ADVICE);
        }
        return new PgBinaries(binDir.toAbsolutePath().normalize());
    }

    public Path binDirectory() {
        return binDir;
    }

    public Path initdb() {
        return binDir.resolve("initdb");
    }

    public Path pgCtl() {
        return binDir.resolve("pg_ctl");
    }

    /** A program of this installation (pg_dump, psql, pgbench ...), if it is installed. */
    public Optional<Path> findTool(String name) {
        if (!TOOL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a program name: " + name);
        }
        Path tool = binDir.resolve(name);
        return Files.isRegularFile(tool) && Files.isExecutable(tool) ? Optional.of(tool) : Optional.empty();
    }

    /** A program of this installation, or a CANNOT_RUN failure saying what to install. */
    public Path tool(String name) {
        return findTool(name).orElseThrow(() -> PgRunbookException.cannotRun(
                name + " not found in " + binDir + " (the PostgreSQL installation in use). Install the "
                        + "client programs of the same major version: `apt-get install -y postgresql-client` "
                        + "on Debian/Ubuntu, `dnf install postgresql` on RHEL/Fedora, or set " + BIN_DIR_ENV
                        + " to an installation that has " + name + "."));
    }

    /** A loadable module such as pg_stat_statements.so in this installation's lib directory. */
    public boolean hasLibrary(String name) {
        Path lib = binDir.resolveSibling("lib").resolve(name + ".so");
        return Files.isRegularFile(lib);
    }

    /** The major version, from `pg_ctl --version` (e.g. "pg_ctl (PostgreSQL) 15.18" gives 15). */
    public int majorVersion() {
        Integer cached = majorVersion;
        if (cached == null) {
            ExternalCommand.Result result = ExternalCommand.runOrFail(
                    List.of(pgCtl().toString(), "--version"), null, Duration.ofSeconds(20),
                    "read the PostgreSQL version", null);
            Matcher m = VERSION.matcher(result.output());
            if (!m.find()) {
                throw PgRunbookException.cannotRun("Could not read a version from `" + pgCtl()
                        + " --version`; it printed: " + result.output().strip());
            }
            cached = Integer.parseInt(m.group(1));
            majorVersion = cached;
        }
        return cached;
    }

    @Override
    public String toString() {
        return "PostgreSQL binaries in " + binDir;
    }

    private static Optional<PgBinaries> onPath(List<String> pathDirs) {
        for (String dir : pathDirs) {
            Path initdb = Path.of(dir, "initdb");
            if (Files.isExecutable(initdb) && Files.isExecutable(Path.of(dir, "pg_ctl"))) {
                // Follow symlinks (e.g. /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb)
                // so that ../lib, pg_dump and psql are looked up in the real installation.
                Path realDir = realParent(initdb);
                return Optional.of(new PgBinaries(missingServerTools(realDir).isEmpty() ? realDir : Path.of(dir)));
            }
        }
        return Optional.empty();
    }

    private static Optional<PgBinaries> inRoots(List<VersionedRoot> roots) {
        List<Path> candidates = new ArrayList<>();
        for (VersionedRoot root : roots) {
            if (!Files.isDirectory(root.parent())) {
                continue;
            }
            try (Stream<Path> children = Files.list(root.parent())) {
                children.filter(child -> versionOf(child, root.prefix()) >= 0)
                        .map(child -> child.resolve("bin"))
                        .filter(bin -> missingServerTools(bin).isEmpty())
                        .forEach(candidates::add);
            } catch (IOException e) {
                // an unreadable root is the same as an absent one: keep looking elsewhere
            }
        }
        return candidates.stream()
                .max(Comparator.comparingDouble(bin -> versionOf(bin.getParent(), prefixOf(bin, roots))))
                .map(PgBinaries::new);
    }

    private static String prefixOf(Path bin, List<VersionedRoot> roots) {
        String name = bin.getParent().getFileName().toString();
        return roots.stream().map(VersionedRoot::prefix).filter(name::startsWith)
                .max(Comparator.comparingInt(String::length)).orElse("");
    }

    /** "15" or "9.6" after the prefix gives 15.0 or 9.6; anything else gives -1. */
    private static double versionOf(Path dir, String prefix) {
        String name = dir.getFileName().toString();
        if (!name.startsWith(prefix)) {
            return -1;
        }
        String rest = name.substring(prefix.length());
        return rest.matches("\\d+(\\.\\d+)?") ? Double.parseDouble(rest) : -1;
    }

    private static List<String> missingServerTools(Path dir) {
        return Stream.of("initdb", "pg_ctl")
                .filter(name -> !(Files.isRegularFile(dir.resolve(name)) && Files.isExecutable(dir.resolve(name))))
                .toList();
    }

    private static Path realParent(Path file) {
        try {
            return file.toRealPath().getParent();
        } catch (IOException e) {
            return file.getParent();
        }
    }

    /** The directories of a PATH value, blanks left out. */
    static List<String> splitPath(String path) {
        if (path == null || path.isBlank()) {
            return List.of();
        }
        return Stream.of(path.split(java.io.File.pathSeparator)).filter(s -> !s.isBlank()).toList();
    }
}
