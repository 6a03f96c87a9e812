package io.pgrunbook.steps.ttl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The exact statements that create the index a sweep needs, with the table's real column names.
 * PostgreSQL refuses CREATE INDEX CONCURRENTLY on a partitioned table, so there the index is built
 * as the documentation describes: CREATE INDEX ON ONLY each partitioned table (instant, invalid
 * until complete), CREATE INDEX CONCURRENTLY on each leaf partition, then ALTER INDEX ... ATTACH
 * PARTITION from the bottom up, which makes the parent's index valid once all are attached.
 * Inheritance children get no index from their parent: each table gets its own.
 */
final class IndexAdvice {
    /** Every table of the tree under the swept table, parents first: name, schema, index name, relkind, parent OID, OID, depth. */
    static final String TREE = """
            WITH RECURSIVE tree(relid, parent, depth) AS (
                SELECT ?::int8::oid, 0::oid, 0
                UNION ALL SELECT i.inhrelid, i.inhparent, t.depth + 1 FROM pg_inherits i JOIN tree t ON i.inhparent = t.relid)
            SELECT t.relid::regclass::text, quote_ident(n.nspname), quote_ident(left(c.relname, 54) || '_ttl_idx'), c.relkind::text,
                   t.parent::int8, t.relid::int8, t.depth
              FROM tree t JOIN pg_class c ON c.oid = t.relid JOIN pg_namespace n ON n.oid = c.relnamespace
             ORDER BY t.depth, c.relname""";

    private record Rel(String name, String index, boolean partitioned, long parent, long oid, int depth) {}

    private IndexAdvice() {}

    static List<String> statements(Connection c, TtlTable table, TtlConfig config) throws SQLException {
        String expiry = config.indexColumn() != null ? TtlTable.quote(config.indexColumn()) : "(" + config.expiryExpression() + ")";
        List<String> columns = new ArrayList<>(config.scopeColumns().stream().map(TtlTable::quote).toList());
        columns.add(expiry);
        String body = " (" + String.join(", ", columns) + ") WHERE " + expiry + " IS NOT NULL";
        List<Rel> tree = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(TREE)) {
            ps.setLong(1, table.oid());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tree.add(new Rel(rs.getString(1), rs.getString(2) + "." + rs.getString(3), rs.getString(4).equals("p"),
                            rs.getLong(5), rs.getLong(6), rs.getInt(7)));
                }
            }
        }
        List<String> out = new ArrayList<>();
        boolean declarative = !tree.isEmpty() && tree.get(0).partitioned();
        for (Rel r : tree) {
            String indexName = r.index().substring(r.index().indexOf('.') + 1);
            out.add(r.partitioned() ? "CREATE INDEX " + indexName + " ON ONLY " + r.name() + body
                    : "CREATE INDEX CONCURRENTLY " + indexName + " ON " + r.name() + body);
        }
        if (declarative) {
            Map<Long, Rel> byOid = new HashMap<>();
            tree.forEach(r -> byOid.put(r.oid(), r));
            tree.stream().filter(r -> r.depth() > 0).sorted(Comparator.comparingInt(Rel::depth).reversed())
                    .forEach(r -> out.add("ALTER INDEX " + byOid.get(r.parent()).index() + " ATTACH PARTITION " + r.index()));
        }
        return out;
    }

    /** The advice in one line for a refusal. */
    static String sentence(List<String> statements, TtlConfig config) {
        String note = config.indexColumn() == null
                ? " (PostgreSQL indexes an expression only when it is immutable: timestamptz + interval is not; "
                        + "write the expiry as column + interval and the column's index serves it)"
                : "";
        return statements.stream().collect(Collectors.joining("; ")) + note;
    }
}
