package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.report.Status;
import io.pgrunbook.steps.shardset.ByteSizes;
import io.pgrunbook.steps.shardset.SchemaFingerprint;
import io.pgrunbook.steps.shardset.ShardTable;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The plan of a move: its preconditions, each PASS or FAIL with its evidence, and per source shard
 * the keys whose jump hash changes from N to N+1 (all of them go to the new shard) with their rows
 * and bytes. Reads only.
 */
final class MovePlanner {
    static final List<String> COLUMNS = List.of("item", "status", "keys", "rows", "bytes", "detail");
    private static final int EXAMPLES = 10;

    /** The plan: evidence rows, whether every precondition passed, and what was read to decide. */
    record Plan(List<List<Object>> rows, boolean ok, List<String> failures, Map<String, KeyScan> scans,
                Map<String, Map<String, ShardTable>> sourceTables, Map<String, ShardTable> targetTables) {
        long movingRows() {
            return scans.values().stream().mapToLong(KeyScan::movingRows).sum();
        }

        /** The plan as text lines: one per precondition and per source. */
        String text() {
            StringBuilder sb = new StringBuilder();
            for (List<Object> r : rows) {
                String counts = r.get(2).equals("") ? "" : " keys " + r.get(2) + (r.get(3).equals("") ? "" : ", rows " + r.get(3))
                        + (r.get(4).equals("") ? "" : ", bytes " + r.get(4));
                sb.append('\n').append(String.format("%-5s", r.get(1))).append(' ').append(r.get(0)).append(counts.isEmpty() ? "" : ":" + counts)
                        .append(r.get(5).equals("") ? "" : (counts.isEmpty() ? ": " : "; ") + r.get(5));
            }
            return sb.toString();
        }

        long movingKeys() {
            return scans.values().stream().mapToLong(s -> s.moving.size()).sum();
        }
    }

    private MovePlanner() {}

    static Plan plan(StepContext target, MoveConfig config, Optional<MoveState.Move> active) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        rows.add(row("precondition: new shard reachable", Status.PASS, "", "", "", target.targetName() + " (index "
                + config.oldCount() + "): PostgreSQL " + target.server().version() + ", database " + target.server().database()));

        boolean resuming = active.isPresent() && active.get().signature().equals(config.signature());
        if (active.isPresent() && !resuming) {
            String why = "move #" + active.get().id() + " to " + target.targetName() + " is unfinished (phase " + active.get().phase().label()
                    + ") with another shard map; finish it (shard-move run with its options) or cancel it first";
            rows.add(row("precondition: no other move in progress", Status.FAIL, "", "", "", why));
            failures.add(why);
        }

        // Schema: every shard, the new one included, has the fingerprint of the first shard.
        List<String> tableNames = new ArrayList<>(config.tables().keySet());
        SchemaFingerprint reference = SchemaFingerprint.of(target.onTarget(config.shards().get(0)), tableNames);
        List<String> schemaProblems = new ArrayList<>();
        List<String> all = new ArrayList<>(config.shards());
        all.add(config.newShard());
        for (String shard : all.subList(1, all.size())) {
            SchemaFingerprint f = SchemaFingerprint.of(target.onTarget(shard), tableNames);
            if (!f.hash().equals(reference.hash())) {
                TreeSet<String> missing = new TreeSet<>(reference.items());
                missing.removeAll(f.items());
                TreeSet<String> extra = new TreeSet<>(f.items());
                extra.removeAll(reference.items());
                List<String> lines = new ArrayList<>();
                missing.stream().limit(EXAMPLES).forEach(l -> lines.add("missing: " + l));
                extra.stream().limit(EXAMPLES).forEach(l -> lines.add("only here: " + l));
                schemaProblems.add(shard + " differs from " + config.shards().get(0) + " (" + String.join("; ", lines) + ")");
            }
        }
        if (schemaProblems.isEmpty()) {
            rows.add(row("precondition: schema identical", Status.PASS, "", "", "", "every shard's schema of " + String.join(", ", tableNames)
                    + " has fingerprint " + reference.shortHash()));
        } else {
            rows.add(row("precondition: schema identical", Status.FAIL, "", "", "", String.join("; ", schemaProblems)));
            failures.add("schema differs: " + String.join("; ", schemaProblems) + "; make the schemas identical (e.g. apply the same migrations) first");
            return new Plan(rows, false, failures, Map.of(), Map.of(), Map.of());
        }

        Map<String, ShardTable> targetTables = ShardTables.resolve(target, config);
        if (resuming) {
            rows.add(row("precondition: new shard holds no rows", Status.PASS, "", "", "", "it holds the rows of unfinished move #"
                    + active.get().id() + " (phase " + active.get().phase().label() + "): run resumes it"));
        } else {
            List<String> holding = new ArrayList<>();
            for (Map.Entry<String, ShardTable> t : targetTables.entrySet()) {
                boolean any = target.inTransaction(true, c -> {
                    try (PreparedStatement ps = c.prepareStatement(MoveSql.anyRow(t.getValue().relation())); ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getBoolean(1);
                    }
                });
                if (any) {
                    holding.add(t.getKey());
                }
            }
            if (holding.isEmpty()) {
                rows.add(row("precondition: new shard holds no rows", Status.PASS, "", "", "", "no rows in " + String.join(", ", tableNames)));
            } else {
                KeyScan held = KeyScan.of(target, -1, config, targetTables);
                String why = target.targetName() + " already holds rows of " + String.join(", ", holding) + " (" + held.all.size() + " keys, e.g. "
                        + String.join(", ", held.all.stream().limit(EXAMPLES).toList()) + "); a move fills an empty shard: empty it, or give the right --new-shard";
                rows.add(row("precondition: new shard holds no rows", Status.FAIL, (long) held.all.size(), "", "", why));
                failures.add(why);
            }
        }

        Map<String, KeyScan> scans = new LinkedHashMap<>();
        Map<String, Map<String, ShardTable>> sourceTables = new LinkedHashMap<>();
        List<String> misplaced = new ArrayList<>();
        long misplacedKeys = 0;
        for (int i = 0; i < config.shards().size(); i++) {
            String name = config.shards().get(i);
            StepContext source = target.onTarget(name);
            Map<String, ShardTable> tables = ShardTables.resolve(source, config);
            sourceTables.put(name, tables);
            KeyScan scan = KeyScan.of(source, i, config, tables);
            scans.put(name, scan);
            misplacedKeys += scan.misplaced.size();
            scan.misplaced.entrySet().stream().limit(EXAMPLES).forEach(e -> misplaced.add("key " + e.getKey() + " on " + name
                    + " belongs on " + config.shards().get(e.getValue())));
        }
        if (misplacedKeys == 0) {
            rows.add(row("precondition: shard map matches the data", Status.PASS, "", "", "", "every key on each of the "
                    + config.oldCount() + " shards is where jump hash over " + config.oldCount() + " shards puts it"));
        } else {
            String why = misplacedKeys + " keys are not on the shard jump hash over " + config.oldCount() + " shards gives them ("
                    + String.join("; ", misplaced) + "): check the --shard order and count, --hash, or a half-done earlier move "
                    + "(validate-shards --full names them all)";
            rows.add(row("precondition: shard map matches the data", Status.FAIL, misplacedKeys, "", "", why));
            failures.add(why);
        }
        long bytes = scans.values().stream().mapToLong(KeyScan::movingBytes).sum();
        rows.add(row("precondition: enough space", Status.SKIP, "", "", bytes,
                "the move writes about " + ByteSizes.show(bytes) + " of row data (plus indexes) to " + target.targetName()
                        + "; free disk space is not visible from SQL: check the new shard's volume"));

        for (KeyScan s : scans.values()) {
            rows.add(row("move " + s.shard + " -> " + target.targetName(), Status.PASS, (long) s.moving.size(), s.movingRows(), s.movingBytes(),
                    "of " + s.all.size() + " keys; stay: " + s.stayingKeys + " keys, " + s.stayingRows + " rows"));
        }
        return new Plan(rows, failures.isEmpty(), failures, scans, sourceTables, targetTables);
    }

    static List<Object> row(String item, Status status, Object keys, Object rows, Object bytes, String detail) {
        List<Object> r = new ArrayList<>();
        r.add(item);
        r.add(status.name());
        r.add(keys);
        r.add(rows);
        r.add(bytes);
        r.add(detail);
        return r;
    }
}
