package io.pgrunbook.steps.ttl;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The sweep's statements for one table: across scopes on a plain table, scope by scope with a
 * sample or on Citus. Every batch binds its "range" first: the scope's values within one scope,
 * the fixed scope values (--tenant...) across scopes. Identifiers come from {@link TtlTable} (checked against the
 * catalog and quoted); every value is a bind parameter. Each statement names the scope's columns
 * with equality, so on a Citus table whose distribution column is a scope column the coordinator
 * routes it to one shard.
 */
final class TtlSql {
    /** Expired rows per scope, with the age of the oldest: the backlog, before and after. */
    final String pending;
    /**
     * The backlog after a sweep by block ranges, with per scope the rows that had expired before a
     * server time (bind it first) and are still there.
     */
    final String pendingSince;
    /** The same, for a random sample of scopes (bind the sample size last). */
    final String pendingSample;
    /** The first select batch of a scope: row keys in expiry order (bind scope values, then the limit). */
    final String selectFirst;
    /** A later select batch, after a keyset cursor (bind scope values, cursor expiry twice, cursor keys, limit). */
    final String selectNext;
    /** Locks what it can of a batch (skipping rows others hold), deletes those still expired at delete time. */
    final String delete;
    /**
     * The fast path: deletes the batch's rows still expired, as one statement, without locking them
     * first; run with a 1 ms lock_timeout so a row someone holds sends the batch to {@link #delete}.
     */
    final String deleteDirect;
    /** Batches walk the whole table across scopes (a plain table, no sample) rather than one scope at a time. */
    final boolean global;
    /** Rows addressed by ctid (a table without a primary key) rather than by key columns. */
    final boolean byCtid;
    /**
     * Rows live in several heaps (a partitioned table's partitions, an inheritance parent and its
     * children), where a ctid is unique only within one: a row is then "tableoid:ctid" (see
     * {@link #rowId}) and every delete batch runs per heap, on that heap alone ({@link #deleteDirectOn}).
     */
    final boolean perHeap;

    private final TtlTable table;
    private final TtlConfig config;
    /** The re-check every delete makes at delete time: the row is still expired. */
    private final String recheck;
    /** The scope equality the ctid deletes bind first (across scopes: the fixed scope values only). */
    private final String heapEq;

    TtlSql(TtlTable table, TtlConfig config) {
        this.table = table;
        this.config = config;
        String t = table.qualifiedName();
        String expiry = config.expirySql();
        String expired = expiry + " IS NOT NULL AND " + config.expiredBefore("now()");
        recheck = config.stillExpired("statement_timestamp()");
        perHeap = table.byCtid() && table.hasChildren();
        String rowId = perHeap ? "(tableoid::int8::text || ':' || ctid::text)" : "ctid::text";
        String notSeen = perHeap ? "NOT (" + rowId + " = ANY(CAST(? AS text[])))" : "NOT (ctid = ANY(CAST(? AS text[])::tid[]))";
        List<String> scopes = config.scopeColumns();
        String scopeList = scopes.stream().map(TtlTable::quote).collect(Collectors.joining(", "));
        // Output columns get names of their own: GROUP BY "tenant_id" would otherwise group by the text
        // output column, sorting a text copy of every expired row (often on disk) instead of reading
        // the expiry index in its order (3x the time on a million expired rows).
        String scopeText = IntStream.range(0, scopes.size()).mapToObj(i -> TtlTable.quote(scopes.get(i)) + "::text AS scope_" + i)
                .collect(Collectors.joining(", "));
        String filter = config.scopeFilter().keySet().stream().map(this::equalsParam).map(s -> " AND " + s).collect(Collectors.joining());
        String aggregate = "count(*) AS pending, extract(epoch FROM now() - " + config.expiryOf("min(" + expiry + ")") + ")::float8 AS oldest_expired_age_s";
        String stillThere = ", count(*) FILTER (WHERE " + config.expiredBefore("CAST(? AS timestamptz)") + ") AS expired_before";
        if (scopes.isEmpty()) {
            pending = "SELECT " + aggregate + " FROM " + t + " WHERE " + expired + filter + " HAVING count(*) > 0";
            pendingSince = "SELECT " + aggregate + stillThere + " FROM " + t + " WHERE " + expired + filter + " HAVING count(*) > 0";
            pendingSample = pending;
        } else {
            String base = "SELECT " + scopeText + ", " + aggregate + " FROM " + t + " WHERE " + expired + filter + " GROUP BY " + scopeList;
            pending = base + " ORDER BY " + scopeList;
            pendingSince = "SELECT " + scopeText + ", " + aggregate + stillThere + " FROM " + t + " WHERE " + expired + filter
                    + " GROUP BY " + scopeList + " ORDER BY " + scopeList;
            pendingSample = base + " ORDER BY random() LIMIT ?";
        }
        byCtid = table.byCtid();
        global = byCtid && config.sample() == 0 && !scopes.isEmpty();
        List<String> keys = table.rowKeySql();
        String keyList = String.join(", ", keys);
        if (global) {
            // One walk over the whole expiry index in its own order (scope columns, then expiry):
            // batches cross scopes, so a table of many small scopes needs no statement per scope.
            String eq = filterEquality();
            String cols = scopeList + ", " + expiry;
            String casts = scopes.stream().map(c -> "CAST(? AS " + table.typeOf(c) + ")").collect(Collectors.joining(", "))
                    + ", CAST(? AS " + table.expiryType() + ")";
            // Output columns get names of their own: ORDER BY "tenant_id" would otherwise sort by the
            // text output column, not in the index's order, and the keyset cursor would skip rows.
            String head = "SELECT " + rowId + " AS row_id, " + IntStream.range(0, scopes.size())
                    .mapToObj(i -> TtlTable.quote(scopes.get(i)) + "::text AS scope_" + i).collect(Collectors.joining(", "))
                    + ", " + expiry + "::text AS expiry_text FROM " + t + " WHERE " + eq + expired;
            // ORDER BY exactly the index's columns, so an index scan stops after LIMIT rows; rows that tie
            // with the cursor and were seen already are excluded by ctid (sorting by ctid too would make
            // the planner sort everything after the cursor, every batch).
            String order = " ORDER BY " + cols + " LIMIT ?";
            selectFirst = head + order;
            selectNext = head + " AND (" + cols + ") >= (" + casts + ") AND " + notSeen + order;
            deleteDirect = deleteDirectByCtid(t, eq, recheck, scopes);
            delete = deleteByCtid(t, eq, recheck);
            heapEq = eq;
        } else {
            String scopeEq = scopeEquality();
            String keyText = perHeap ? rowId + " AS key_0"
                    : IntStream.range(0, keys.size()).mapToObj(i -> keys.get(i) + "::text AS key_" + i).collect(Collectors.joining(", "));
            String head = "SELECT " + keyText + ", " + expiry + "::text AS expiry_text FROM " + t + " WHERE " + scopeEq + expired;
            if (byCtid) {
                String order = " ORDER BY " + expiry + " LIMIT ?";
                selectFirst = head + order;
                selectNext = head + " AND " + expiry + " >= CAST(? AS " + table.expiryType() + ") AND " + notSeen + order;
            } else {
            String order = " ORDER BY " + expiry + ", " + keyList + " LIMIT ?";
            selectFirst = head + order;
            String cursorKeys = IntStream.range(0, keys.size()).mapToObj(i -> "CAST(? AS " + table.rowKeyTypes().get(i) + ")")
                    .collect(Collectors.joining(", "));
            String cursor = "CAST(? AS " + table.expiryType() + ")";
            // The plain bound lets the index range start at the cursor; the row comparison breaks ties.
            selectNext = head + " AND " + expiry + " >= " + cursor + " AND (" + expiry + ", " + keyList + ") > (" + cursor + ", " + cursorKeys + ")" + order;
            }
            deleteDirect = byCtid ? deleteDirectByCtid(t, scopeEq, recheck, List.of())
                    : "DELETE FROM " + t + " WHERE " + scopeEq + "(" + keyList + ") IN (" + candidates(keys) + ") AND " + recheck;
            delete = byCtid ? deleteByCtid(t, scopeEq, recheck) : deleteByKey(t, scopeEq, recheck, keys);
            heapEq = scopeEq;
        }
    }

    /** {@link #deleteDirect} on one heap only (a partition, or the parent's own rows): bind the same way, with that heap's ctids. */
    String deleteDirectOn(String relation) {
        return deleteDirectByCtid("ONLY " + relation, heapEq, recheck, global ? config.scopeColumns() : List.of());
    }

    /** {@link #delete} on one heap only. */
    String deleteOn(String relation) {
        return deleteByCtid("ONLY " + relation, heapEq, recheck);
    }

    /** The ordering tuple of a selected row: what the keyset cursor compares (ctid tables). */
    List<String> tuple(List<String> row) {
        return global ? row.subList(1, row.size()) : List.of(row.get(row.size() - 1));
    }

    /**
     * The values a later select batch binds after the range's values. Ctid tables: the last row's
     * ordering tuple (then, bound separately, the ctids already seen at exactly that tuple); key
     * tables: [expiry, expiry, keys...] of the last row.
     */
    List<String> cursor(List<String> lastRow) {
        if (byCtid) {
            return tuple(lastRow);
        }
        List<String> out = new ArrayList<>();
        String expiry = lastRow.get(lastRow.size() - 1);
        out.add(expiry);
        out.add(expiry);
        out.addAll(lastRow.subList(0, lastRow.size() - 1));
        return out;
    }

    /** The scope a selected row belongs to (across scopes), or the fixed scope (within one). */
    List<String> scopeOf(List<String> row, List<String> fixedScope) {
        return global ? List.copyOf(row.subList(1, 1 + config.scopeColumns().size())) : fixedScope;
    }

    /**
     * Returns the rows it deleted counted per scope (one row, the count, within one scope), not row
     * by row: a batch's answer stays a few rows however large the batch.
     */
    private static String deleteDirectByCtid(String t, String eq, String recheck, List<String> groupBy) {
        String cols = groupBy.stream().map(TtlTable::quote).collect(Collectors.joining(", "));
        String texts = groupBy.stream().map(c -> TtlTable.quote(c) + "::text, ").collect(Collectors.joining());
        return "WITH gone AS (DELETE FROM " + t + " WHERE " + eq + "ctid = ANY(CAST(? AS text[])::tid[]) AND " + recheck
                + " RETURNING " + (cols.isEmpty() ? "1" : cols) + ")\n"
                + "SELECT " + texts + "count(*) FROM gone" + (cols.isEmpty() ? "" : " GROUP BY " + cols);
    }

    /** The batch's keys, given as one text array per key column, cast back to the columns' types. */
    private String candidates(List<String> keys) {
        List<String> arrays = new ArrayList<>();
        List<String> casts = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            arrays.add("CAST(? AS text[])");
            casts.add("CAST(c.k" + i + " AS " + table.rowKeyTypes().get(i) + ")");
        }
        String aliases = IntStream.range(0, keys.size()).mapToObj(i -> "k" + i).collect(Collectors.joining(", "));
        return "SELECT " + String.join(", ", casts) + " FROM unnest(" + String.join(", ", arrays) + ") AS c(" + aliases + ")";
    }

    private String deleteByKey(String t, String scopeEq, String recheck, List<String> keys) {
        String keyList = String.join(", ", keys);
        return "WITH candidates AS (" + candidates(keys) + "),\n"
                + "locked AS (SELECT " + keyList + " FROM " + t + " WHERE " + scopeEq + "(" + keyList + ") IN (SELECT * FROM candidates)"
                + " FOR UPDATE SKIP LOCKED),\n"
                + "deleted AS (DELETE FROM " + t + " WHERE " + scopeEq + "(" + keyList + ") IN (SELECT * FROM locked)"
                + " AND " + recheck + " RETURNING 1)\n"
                + "SELECT (SELECT count(*) FROM locked) AS locked, (SELECT count(*) FROM deleted) AS deleted";
    }

    /** Returns ('locked', ctid) for each row it could lock and ('deleted', ctid) for each it deleted. */
    private static String deleteByCtid(String t, String eq, String recheck) {
        return "WITH locked AS (SELECT ctid FROM " + t + " WHERE " + eq + "ctid = ANY(CAST(? AS text[])::tid[]) FOR UPDATE SKIP LOCKED),\n"
                + "deleted AS (DELETE FROM " + t + " WHERE " + eq + "ctid = ANY(ARRAY(SELECT ctid FROM locked))"
                + " AND " + recheck + " RETURNING ctid)\n"
                + "SELECT 'locked' AS what, ctid::text FROM locked UNION ALL SELECT 'deleted', ctid::text FROM deleted";
    }

    /** "a = CAST(? AS uuid) AND b = CAST(? AS text) AND " for the scope columns, in order. */
    private String scopeEquality() {
        StringBuilder sb = new StringBuilder();
        for (String s : config.scopeColumns()) {
            sb.append(equalsParam(s)).append(" AND ");
        }
        return sb.toString();
    }

    /** "a = CAST(? AS uuid) AND " for the fixed scope values (--tenant, --namespace), in their order. */
    private String filterEquality() {
        StringBuilder sb = new StringBuilder();
        for (String s : config.scopeFilter().keySet()) {
            sb.append(equalsParam(s)).append(" AND ");
        }
        return sb.toString();
    }

    private String equalsParam(String column) {
        return TtlTable.quote(column) + " = CAST(? AS " + table.typeOf(column) + ")";
    }

    /** How many array parameters the delete takes. */
    int keyArity() {
        return table.rowKeySql().size();
    }
}
