package io.pgrunbook.steps.ttl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A delete batch's rows split by the heap they live in, on a table whose rows are "tableoid:ctid"
 * ({@link TtlSql#perHeap}). A ctid names a row only within one heap: a DELETE on the parent with
 * a list of ctids deletes those positions in every partition, batch size times partitions.
 */
final class Heaps {
    static final String NAME = "SELECT c.oid::regclass::text FROM pg_class c WHERE c.oid = CAST(? AS int8)::oid";

    /** @param relation the heap's name, quoted as needed; @param prefix "tableoid:" of its row ids; @param ctids its rows */
    record Part(String relation, String prefix, List<String> ctids) {}

    /** Names by OID, looked up once a sweep (a partition attached meanwhile is looked up when first met). */
    private final Map<Long, Optional<String>> names = new HashMap<>();

    /** The heaps of these row ids, in the order first met; rows of a heap dropped since the select are left out. */
    List<Part> split(Connection c, List<String> rowIds) throws SQLException {
        Map<Long, List<String>> byHeap = new LinkedHashMap<>();
        for (String id : rowIds) {
            int colon = id.indexOf(':');
            byHeap.computeIfAbsent(Long.parseLong(id.substring(0, colon)), k -> new ArrayList<>()).add(id.substring(colon + 1));
        }
        List<Part> out = new ArrayList<>();
        for (Map.Entry<Long, List<String>> e : byHeap.entrySet()) {
            Optional<String> name = names.get(e.getKey());
            if (name == null) {
                name = lookUp(c, e.getKey());
                names.put(e.getKey(), name);
            }
            name.ifPresent(n -> out.add(new Part(n, e.getKey() + ":", e.getValue())));
        }
        return out;
    }

    private static Optional<String> lookUp(Connection c, long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(NAME)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }
}
