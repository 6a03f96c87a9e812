package io.pgrunbook.steps.ttl;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The sweep's statements for one table. Identifiers come from {@link TtlTable} (checked against the
 * catalog and quoted); every value is a bind parameter. Each statement names the scope's columns
 * with equality, so on a Citus table whose distribution column is a scope column the coordinator
 * routes it to one shard.
 */
final class TtlSql {
    /** Expired rows per scope, with the age of the oldest: the backlog, before and after. */
    final String pending;
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
    /** Rows addressed by ctid (a table without a primary key) rather than by key columns. */
    final boolean byCtid;

    private final TtlTable table;
    private final TtlConfig config;

    TtlSql(TtlTable table, TtlConfig config) {
        this.table = table;
        this.config = config;
        String t = table.qualifiedName();
        String expiry = config.expirySql();
        String expired = expiry + " IS NOT NULL AND " + expiry + " < now()";
        List<String> scopes = config.scopeColumns();
        String scopeList = scopes.stream().map(TtlTable::quote).collect(Collectors.joining(", "));
        String scopeText = scopes.stream().map(s -> TtlTable.quote(s) + "::text AS " + TtlTable.quote(s)).collect(Collectors.joining(", "));
        String filter = config.scopeFilter().keySet().stream().map(this::equalsParam).map(s -> " AND " + s).collect(Collectors.joining());
        String aggregate = "count(*) AS pending, extract(epoch FROM now() - min(" + expiry + "))::float8 AS oldest_expired_age_s";
        if (scopes.isEmpty()) {
            pending = "SELECT " + aggregate + " FROM " + t + " WHERE " + expired + filter + " HAVING count(*) > 0";
            pendingSample = pending;
        } else {
            String base = "SELECT " + scopeText + ", " + aggregate + " FROM " + t + " WHERE " + expired + filter + " GROUP BY " + scopeList;
            pending = base + " ORDER BY " + scopeList;
            pendingSample = base + " ORDER BY random() LIMIT ?";
        }
        String scopeEq = scopeEquality();
        List<String> keys = table.rowKeySql();
        String keyText = keys.stream().map(k -> k + "::text").collect(Collectors.joining(", "));
        String keyList = String.join(", ", keys);
        String head = "SELECT " + keyText + ", " + expiry + "::text AS expiry FROM " + t + " WHERE " + scopeEq + expired;
        String order = " ORDER BY " + expiry + ", " + keyList + " LIMIT ?";
        selectFirst = head + order;
        String cursorKeys = IntStream.range(0, keys.size()).mapToObj(i -> "CAST(? AS " + table.rowKeyTypes().get(i) + ")")
                .collect(Collectors.joining(", "));
        String cursor = "CAST(? AS " + table.expiryType() + ")";
        // The plain bound lets the index range start at the cursor; the row comparison breaks ties.
        selectNext = head + " AND " + expiry + " >= " + cursor + " AND (" + expiry + ", " + keyList + ") > (" + cursor + ", " + cursorKeys + ")" + order;
        byCtid = table.byCtid();
        deleteDirect = table.byCtid()
                ? "DELETE FROM " + t + " WHERE " + scopeEq + "ctid = ANY(CAST(? AS text[])::tid[]) AND " + expiry + " < statement_timestamp()"
                : "DELETE FROM " + t + " WHERE " + scopeEq + "(" + keyList + ") IN (" + candidates(keys) + ") AND " + expiry
                        + " < statement_timestamp()";
        delete = table.byCtid() ? deleteByCtid(t, scopeEq, expiry) : deleteByKey(t, scopeEq, expiry, keys);
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

    private String deleteByKey(String t, String scopeEq, String expiry, List<String> keys) {
        String keyList = String.join(", ", keys);
        return "WITH candidates AS (" + candidates(keys) + "),\n"
                + "locked AS (SELECT " + keyList + " FROM " + t + " WHERE " + scopeEq + "(" + keyList + ") IN (SELECT * FROM candidates)"
                + " FOR UPDATE SKIP LOCKED),\n"
                + "deleted AS (DELETE FROM " + t + " WHERE " + scopeEq + "(" + keyList + ") IN (SELECT * FROM locked)"
                + " AND " + expiry + " < statement_timestamp() RETURNING 1)\n"
                + "SELECT (SELECT count(*) FROM locked) AS locked, (SELECT count(*) FROM deleted) AS deleted";
    }

    private static String deleteByCtid(String t, String scopeEq, String expiry) {
        return "WITH locked AS (SELECT ctid FROM " + t + " WHERE " + scopeEq + "ctid = ANY(CAST(? AS text[])::tid[]) FOR UPDATE SKIP LOCKED),\n"
                + "deleted AS (DELETE FROM " + t + " WHERE " + scopeEq + "ctid = ANY(ARRAY(SELECT ctid FROM locked))"
                + " AND " + expiry + " < statement_timestamp() RETURNING 1)\n"
                + "SELECT (SELECT count(*) FROM locked) AS locked, (SELECT count(*) FROM deleted) AS deleted";
    }

    /** "a = CAST(? AS uuid) AND b = CAST(? AS text) AND " for the scope columns, in order. */
    private String scopeEquality() {
        StringBuilder sb = new StringBuilder();
        for (String s : config.scopeColumns()) {
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
