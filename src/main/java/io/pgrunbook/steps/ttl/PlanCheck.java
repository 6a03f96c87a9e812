package io.pgrunbook.steps.ttl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * EXPLAIN (never ANALYZE) of a select batch and a delete batch for one real scope: the sweep must
 * find expired rows through an index on the expiry, and on Citus each batch must go to one shard.
 */
final class PlanCheck {
    /** The table's indexes and its partitions' (a partitioned table's plan scans the partitions' own indexes). */
    static final String INDEXES = """
            WITH RECURSIVE tree(relid) AS (
                SELECT ?::int8::oid
                UNION ALL SELECT inhrelid FROM pg_inherits JOIN tree ON inhparent = tree.relid)
            SELECT c.relname, ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k),
                   i.indexrelid::int8 FROM pg_index i
              JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid IN (SELECT relid FROM tree)""";
    /** Citus: the name of an index's copy on one shard (as EXPLAIN shows it in the shard's plan). */
    static final String SHARD_INDEX_NAME = "SELECT shard_name(?::int8::oid::regclass, ?::int8)";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What EXPLAIN showed: the plan lines, the expiry index used (null if none), whether a batch fans out. */
    record Result(List<String> lines, String expiryIndex, boolean fansOut) {
        /** One line for reports: the plan nodes of each batch, and the verdict on the index. */
        String summary() {
            List<String> parts = new ArrayList<>();
            StringBuilder current = null;
            for (String line : lines) {
                if (line.startsWith("-- select batch") || line.startsWith("-- delete batch")) {
                    current = new StringBuilder(line.startsWith("-- select") ? "select batch:"
                            : line.startsWith("-- delete batch again") ? "when a row is held:" : "delete batch:");
                    parts.add(null);
                } else if (line.startsWith("--   ") && current != null) {
                    current.append(current.charAt(current.length() - 1) == ':' ? " " : " > ").append(line.substring(2).strip());
                    parts.set(parts.size() - 1, current.toString());
                } else if (line.startsWith("-- ") && !line.startsWith("--   ")) {
                    current = null;
                    parts.add(line.substring(3));
                }
            }
            return String.join("; ", parts.stream().filter(java.util.Objects::nonNull).toList());
        }
    }

    private final Connection c;
    private final TtlTable table;
    private final TtlConfig config;
    private final TtlSql sql;

    PlanCheck(Connection c, TtlTable table, TtlConfig config, TtlSql sql) {
        this.c = c;
        this.table = table;
        this.config = config;
        this.sql = sql;
    }

    Result check(List<String> scope) throws SQLException {
        List<String> lines = new ArrayList<>();
        lines.add("-- select batch (read, no locks), for scope " + ScopeHash.of(scope) + ":");
        lines.addAll(List.of(sql.selectFirst.split("\n")));
        JsonNode select = explain("EXPLAIN (FORMAT JSON) " + sql.selectFirst, scope, true, lines);
        lines.add("-- delete batch (its own transaction, lock_timeout 1ms: waits for no row):");
        lines.addAll(List.of(sql.deleteDirect.split("\n")));
        JsonNode direct = explain("EXPLAIN (FORMAT JSON) " + sql.deleteDirect, scope, null, lines);
        lines.add("-- delete batch again when a row was held (SKIP LOCKED, counts the rows skipped):");
        lines.addAll(List.of(sql.delete.split("\n")));
        JsonNode delete = explain("EXPLAIN (FORMAT JSON) " + sql.delete, scope, false, lines);
        String index = expiryIndex(select);
        boolean fansOut = maxTaskCount(select) > 1 || maxTaskCount(delete) > 1 || maxTaskCount(direct) > 1;
        lines.add(index != null ? "-- the select batch uses index " + index + " on the expiry"
                : "-- the select batch uses NO index on the expiry " + config.expiryDescription());
        if (fansOut) {
            lines.add("-- a batch fans out to more than one Citus shard");
        }
        return new Result(lines, index, fansOut);
    }

    /** The plans of a block-range batch (for blocks 0 to 1: the shape is the same for every range). */
    List<String> blocks(BlockRanges ranges) throws SQLException {
        List<String> lines = new ArrayList<>();
        lines.add("-- delete batch by block range (its own transaction, lock_timeout 1ms: waits for no row):");
        lines.addAll(List.of(ranges.deleteDirect.split("\n")));
        explainRange("EXPLAIN (FORMAT JSON) " + ranges.deleteDirect, 1, lines);
        lines.add("-- delete batch again when a row was held (SKIP LOCKED, counts the rows skipped):");
        lines.addAll(List.of(ranges.deleteSkipLocked.split("\n")));
        explainRange("EXPLAIN (FORMAT JSON) " + ranges.deleteSkipLocked, 2, lines);
        return lines;
    }

    private void explainRange(String text, int ranges, List<String> lines) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(text)) {
            int i = 1;
            for (int r = 0; r < ranges; r++) {
                i = BlockRanges.bindRange(ps, i, 0, 1);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                render(JSON.readTree(rs.getString(1)).get(0).get("Plan"), 0, lines);
            }
        } catch (java.io.IOException e) {
            throw new SQLException("EXPLAIN returned JSON that could not be read: " + e.getMessage(), e);
        }
    }

    /** @param select true: the select batch; false: the SKIP LOCKED delete; null: the direct delete */
    private JsonNode explain(String text, List<String> scope, Boolean select, List<String> lines) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(text)) {
            int i = 1;
            if (select == null) {
                i = TtlSweeper.bindScope(ps, i, scope);
                for (int k = 0; k < sql.keyArity(); k++) {
                    ps.setArray(i++, c.createArrayOf("text", new String[0]));
                }
            } else if (select) {
                i = TtlSweeper.bindScope(ps, i, scope);
                ps.setInt(i, config.selectBatchSize());
            } else if (sql.byCtid) {
                i = TtlSweeper.bindScope(ps, i, scope);
                ps.setArray(i++, c.createArrayOf("text", new String[0]));
                TtlSweeper.bindScope(ps, i, scope);
            } else {
                for (int k = 0; k < sql.keyArity(); k++) {
                    ps.setArray(i++, c.createArrayOf("text", new String[0]));
                }
                i = TtlSweeper.bindScope(ps, i, scope);
                TtlSweeper.bindScope(ps, i, scope);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                JsonNode plan = JSON.readTree(rs.getString(1)).get(0).get("Plan");
                render(plan, 0, lines);
                return plan;
            }
        } catch (java.io.IOException e) {
            throw new SQLException("EXPLAIN returned JSON that could not be read: " + e.getMessage(), e);
        }
    }

    private static void render(JsonNode node, int depth, List<String> lines) {
        StringBuilder sb = new StringBuilder("--   ").append("  ".repeat(depth)).append(node.path("Node Type").asText());
        if (node.has("Index Name")) {
            sb.append(" using ").append(node.get("Index Name").asText());
        }
        if (node.has("Relation Name")) {
            sb.append(" on ").append(node.get("Relation Name").asText());
        }
        // Citus keeps the task count and each shard's plan under "Distributed Query" → "Job".
        JsonNode job = node.path("Distributed Query").path("Job");
        JsonNode tasks = node.has("Task Count") ? node.get("Task Count") : job.get("Task Count");
        if (tasks != null) {
            sb.append(" (Citus tasks: ").append(tasks.asInt()).append(")");
        }
        lines.add(sb.toString());
        for (JsonNode child : node.path("Plans")) {
            render(child, depth + 1, lines);
        }
        for (JsonNode task : job.path("Tasks")) {
            for (JsonNode remote : task.path("Remote Plan")) {
                for (JsonNode p : remote) {
                    if (p.has("Plan")) {
                        render(p.get("Plan"), depth + 1, lines);
                    }
                }
            }
            break; // one shard's plan shows the shape; the task count says how many there are
        }
    }

    /** The first index the plan scans whose definition covers the expiry, or null. */
    private String expiryIndex(JsonNode plan) throws SQLException {
        List<String> used = new ArrayList<>();
        collect(plan, used);
        if (used.isEmpty()) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement(INDEXES)) {
            ps.setLong(1, table.oid());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    if (!covers(List.of((String[]) rs.getArray(2).getArray()))) {
                        continue;
                    }
                    for (String u : used) {
                        if (u.equals(name) || (table.distributionColumn() != null && u.equals(shardIndexName(rs.getLong(3), u)))) {
                            return name;
                        }
                    }
                }
            }
        }
        return null;
    }

    /**
     * The name Citus gives index {@code indexOid} on the shard whose id ends {@code used}, or null.
     * Not just the name plus "_shardid": a name too long for that is shortened with a hash.
     */
    private String shardIndexName(long indexOid, String used) throws SQLException {
        java.util.regex.Matcher m = Pattern.compile("_(\\d+)$").matcher(used);
        if (!m.find() || m.group(1).length() > 18) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement(SHARD_INDEX_NAME)) {
            ps.setLong(1, indexOid);
            ps.setLong(2, Long.parseLong(m.group(1)));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return null;
                }
                String qualified = rs.getString(1);
                return qualified.substring(qualified.lastIndexOf('.') + 1).replace("\"", "");
            }
        }
    }

    /**
     * Whether an index's key columns can hand out rows in expiry order within a scope: the expiry
     * column (or the expression) comes after nothing but scope columns. An index that merely mentions
     * it, such as a primary key (id, created_at), would be read whole and sorted, every batch.
     */
    boolean covers(List<String> keys) {
        String expiry = config.indexColumn() != null ? config.indexColumn() : normalize(config.expiryExpression());
        for (String key : keys) {
            String k = key.startsWith("\"") ? key.substring(1, key.length() - 1).replace("\"\"", "\"") : key;
            if (config.indexColumn() != null ? k.equals(expiry) : normalize(key).equals(expiry)) {
                return true;
            }
            if (!config.scopeColumns().contains(k)) {
                return false;
            }
        }
        return false;
    }

    private static String normalize(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[\\s()\"]", "");
    }

    private static void collect(JsonNode node, List<String> indexes) {
        if (node.has("Index Name")) {
            indexes.add(node.get("Index Name").asText());
        }
        for (JsonNode child : node.path("Plans")) {
            collect(child, indexes);
        }
        // Citus puts the shard's plan under "Distributed Query" → "Job" → "Tasks" → "Remote Plan".
        for (JsonNode task : node.path("Distributed Query").path("Job").path("Tasks")) {
            for (JsonNode remote : task.path("Remote Plan")) {
                for (JsonNode p : remote) {
                    if (p.has("Plan")) {
                        collect(p.get("Plan"), indexes);
                    }
                }
            }
        }
    }

    private static int maxTaskCount(JsonNode node) {
        int max = node.path("Distributed Query").path("Job").path("Task Count").asInt(0);
        max = Math.max(max, node.path("Task Count").asInt(0));
        for (JsonNode child : node.path("Plans")) {
            max = Math.max(max, maxTaskCount(child));
        }
        return max;
    }
}
