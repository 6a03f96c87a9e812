package io.pgrunbook.steps.ttl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The delete statements of a batch addressed by ctid: one statement on the table, or on a table
 * with partitions or children one per heap the batch's rows are in ({@link Heaps}), all in the
 * caller's transaction, so that a batch deletes at most its own rows.
 */
final class CtidDeletes {
    private final TtlSql sql;
    private final Heaps heaps = new Heaps();

    CtidDeletes(TtlSql sql) {
        this.sql = sql;
    }

    /** The fast path: rows deleted per scope (an empty scope within one scope's range). */
    Map<List<String>, Long> direct(Connection c, List<String> range, List<String> rowIds) throws SQLException {
        Map<List<String>, Long> gone = new LinkedHashMap<>();
        for (Heaps.Part part : parts(c, rowIds)) {
            try (PreparedStatement ps = c.prepareStatement(part.relation() == null ? sql.deleteDirect : sql.deleteDirectOn(part.relation()))) {
                int i = TtlSweeper.bindScope(ps, 1, range);
                ps.setArray(i, c.createArrayOf("text", part.ctids().toArray(String[]::new)));
                try (ResultSet rs = ps.executeQuery()) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        List<String> scope = new ArrayList<>(n - 1);
                        for (int k = 1; k < n; k++) {
                            scope.add(rs.getString(k));
                        }
                        gone.merge(scope, rs.getLong(n), Long::sum);
                    }
                }
            }
        }
        return gone;
    }

    /** With SKIP LOCKED: the row ids it locked, and those it deleted. */
    record Locked(Set<String> locked, Set<String> deleted) {}

    Locked skipLocked(Connection c, List<String> range, List<String> rowIds) throws SQLException {
        Set<String> locked = new HashSet<>();
        Set<String> gone = new HashSet<>();
        for (Heaps.Part part : parts(c, rowIds)) {
            try (PreparedStatement ps = c.prepareStatement(part.relation() == null ? sql.delete : sql.deleteOn(part.relation()))) {
                int i = TtlSweeper.bindScope(ps, 1, range);
                ps.setArray(i++, c.createArrayOf("text", part.ctids().toArray(String[]::new)));
                TtlSweeper.bindScope(ps, i, range);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ("locked".equals(rs.getString(1)) ? locked : gone).add(part.prefix() + rs.getString(2));
                    }
                }
            }
        }
        return new Locked(locked, gone);
    }

    private List<Heaps.Part> parts(Connection c, List<String> rowIds) throws SQLException {
        return sql.perHeap ? heaps.split(c, rowIds) : List.of(new Heaps.Part(null, "", rowIds));
    }
}
