package io.pgrunbook.steps.migrate;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** {@code baseline} and {@code repair}: the two actions that change only the history table. */
final class HistoryRepair {
    private HistoryRepair() {}

    static StepOutcome baseline(StepContext ctx, SchemaHistory history, List<Migration> migrations, Map<String, SchemaHistory.Row> rows,
                                String given) throws SQLException {
        String version = MigrationDirectory.canonical(given);
        if (!rows.isEmpty()) {
            return StepOutcome.verdict(Status.FAIL, "baseline refused: the history table " + history.table() + " already has " + rows.size()
                    + " row(s); baseline only adopts a database that has none", Evidence.none());
        }
        Migration m = migrations.stream().filter(x -> x.version().equals(version)).findFirst()
                .orElse(new Migration(version, "baseline", null, null, null, null, null));
        ctx.withoutTransaction(c -> {
            history.record(c, new Migration(version, m.description(), null, null, null, null, m.checksum()), "baseline", true, 0L, true, null);
            return null;
        });
        return StepOutcome.verdict(Status.PASS, "baselined at version " + version + ": migrations up to it count as applied", Evidence.none());
    }

    static StepOutcome repair(StepContext ctx, SchemaHistory history, List<Migration> migrations,
                              Map<String, SchemaHistory.Row> rows) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        List<String> invalid = ctx.inTransaction(true, c -> {
            List<String> names = new ArrayList<>();
            for (Migration m : migrations) {
                names.addAll(MigrationExecutor.createdIndexes(SqlScript.split(m.upSql(), m.upFile())));
            }
            return MigrationExecutor.invalidIndexes(c, names);
        });
        if (!invalid.isEmpty()) {
            return StepOutcome.verdict(Status.FAIL, "repair refused: INVALID index(es) left by a failed CONCURRENTLY build: " + String.join(", ", invalid)
                    + "; remove them first with " + String.join("; ", invalid.stream().map(i -> "DROP INDEX CONCURRENTLY IF EXISTS " + i).toList()),
                    Evidence.none());
        }
        ctx.withoutTransaction(c -> {
            for (SchemaHistory.Row r : rows.values()) {
                Migration m = migrations.stream().filter(x -> x.version().equals(r.version())).findFirst().orElse(null);
                if (!r.success()) {
                    history.delete(c, r.version());
                    out.add(Arrays.asList("removed failed row", r.version(), r.error()));
                } else if (m != null && r.kind().equals("migration") && !m.checksum().equals(r.checksum())) {
                    history.setChecksum(c, r.version(), m.checksum());
                    out.add(Arrays.asList("accepted changed file", r.version(), m.upFile().getFileName().toString()));
                }
            }
            return null;
        });
        return StepOutcome.verdict(Status.PASS, out.isEmpty() ? "nothing to repair" : out.size() + " history row(s) repaired",
                new Evidence(null, out.size() + " change(s)", List.of("action", "version", "detail"), out, out.size()));
    }
}
