package io.pgrunbook.steps.backup;

import io.pgrunbook.db.ConnectionSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Physical soundness of a restored database: pg_amcheck (B-tree indexes with their parent checks,
 * and every table's heap) run on it. Row counts prove the rows came back; this proves the pages
 * holding them and their indexes are sound.
 */
public final class Amcheck {
    /** Lines pg_amcheck prints per problem it finds, besides its own errors. */
    private static final List<String> CORRUPTION_MARKS = List.of("heap table", "btree index", "index \"", "corrupt");

    private Amcheck() {}

    /**
     * Runs pg_amcheck on {@code database}; corruption goes into {@code problems}, and the returned note
     * says what was checked (or why nothing was). With {@code install}, pg_amcheck creates the amcheck
     * extension where it is missing (a scratch database); without it, a database lacking it is only noted.
     */
    public static String run(Path program, ConnectionSpec spec, String database, int jobs, boolean install, BooleanSupplier cancelled,
            List<String> problems) {
        if (!Files.isExecutable(program)) {
            return "amcheck not run: " + program + " not found (install postgresql-client)";
        }
        PgTool tool;
        try {
            tool = PgTool.find("pg_amcheck", program.toString());
        } catch (RuntimeException e) {
            return "amcheck not run: " + e.getMessage();
        }
        List<String> args = new ArrayList<>();
        for (String a : PgTool.connectionArgs(spec, database)) {
            if (!a.startsWith("--dbname=")) {
                args.add(a);
            }
        }
        args.addAll(List.of("--no-password", "--jobs=" + Math.max(1, jobs), "--parent-check", "--no-dependent-toast"));
        if (install) {
            args.add("--install-missing");
        }
        args.add(database);
        Path log = null;
        try {
            log = Files.createTempFile("pgrunbook-amcheck-", ".log");
            try {
                tool.run(args, spec, log, cancelled);
                return "amcheck: B-tree indexes and heaps sound (pg_amcheck --parent-check)";
            } catch (IOException e) {
                String out = Files.readString(log, StandardCharsets.UTF_8);
                List<String> found = out.lines().filter(l -> CORRUPTION_MARKS.stream().anyMatch(l::contains)).toList();
                if (out.contains("is not installed") || out.contains("amcheck") && out.contains("does not exist") && found.isEmpty()) {
                    return "amcheck not run: the amcheck extension is not installed in " + database
                            + " (CREATE EXTENSION amcheck, from postgresql-contrib, then rerun)";
                }
                if (found.isEmpty()) {
                    // Not a verdict on the data: pg_amcheck could not check (no right to CREATE EXTENSION, a timeout).
                    return "amcheck could not run on " + database + ": " + e.getMessage();
                }
                problems.add("amcheck found corruption in " + database + ": " + String.join(" | ",
                        found.subList(0, Math.min(found.size(), 10))) + (found.size() > 10 ? " (" + found.size() + " lines)" : ""));
                return "amcheck: CORRUPTION found";
            }
        } catch (IOException e) {
            return "amcheck not run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "amcheck not run: interrupted";
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // a temp log left behind is harmless
                }
            }
        }
    }
}
