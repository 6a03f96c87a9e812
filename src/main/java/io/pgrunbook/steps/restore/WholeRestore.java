package io.pgrunbook.steps.restore;

import io.pgrunbook.steps.backup.PgTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A whole archive into a database with pg_restore -j N (--clean --if-exists to replace what is
 * there), its progress (tables whose data is loaded) logged every few seconds for a terminal.
 */
final class WholeRestore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WholeRestore.class);
    private static final String DATA_LINE = "processing data for table";

    private WholeRestore() {}

    static List<String> args(TargetDatabase db, Path archive, int jobs, boolean clean, boolean noOwner) {
        List<String> args = new ArrayList<>(List.of("--jobs=" + jobs, "--exit-on-error", "--no-password", "--verbose"));
        if (clean) {
            args.addAll(List.of("--clean", "--if-exists"));
        }
        if (noOwner) {
            args.addAll(List.of("--no-owner", "--no-acl"));
        }
        args.addAll(PgTool.connectionArgs(db.spec(), db.name()));
        args.add(archive.toString());
        return args;
    }

    static void run(PgTool pgRestore, TargetDatabase db, Path archive, int jobs, boolean clean, boolean noOwner, int tables,
            BooleanSupplier cancelled) throws IOException, InterruptedException {
        Path log = Files.createTempFile("pgrunbook-restore-", ".log");
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "restore-progress");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        progress.scheduleAtFixedRate(() -> LOG.info("restore into {}: data of {} of {} tables loaded, {} s",
                db.name(), loadedTables(log), tables, (System.nanoTime() - start) / 1_000_000_000L), 3, 3, TimeUnit.SECONDS);
        try {
            pgRestore.run(args(db, archive, jobs, clean, noOwner), db.spec(), log, cancelled);
        } catch (IOException e) {
            throw new IOException(errors(log, e.getMessage()), e);
        } finally {
            progress.shutdownNow();
            Files.deleteIfExists(log);
        }
    }

    private static long loadedTables(Path log) {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(DATA_LINE)).count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** pg_restore's own error lines (its --verbose chatter left out), or the message we already have. */
    private static String errors(Path log, String fallback) {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            List<String> errors = lines.filter(l -> l.contains("error:") || l.contains("ERROR:") || l.contains("FATAL:")
                    || l.contains("Command was:") || l.contains("could not")).limit(6).toList();
            return errors.isEmpty() ? fallback : "pg_restore failed: " + String.join(" | ", errors).replace("pg_restore: ", "");
        } catch (IOException | java.io.UncheckedIOException e) {
            return fallback;
        }
    }
}
