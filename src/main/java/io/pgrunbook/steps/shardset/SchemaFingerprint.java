package io.pgrunbook.steps.shardset;

import io.pgrunbook.engine.StepContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * A shard's schema as sorted lines (tables, columns with types and NOT NULL, index definitions,
 * constraint definitions) and their SHA-256, so shards compare by one value and differ by lines.
 * Extension-owned tables and system schemas are left out.
 */
public record SchemaFingerprint(List<String> items, String hash) {
    private static final String ITEMS = """
            WITH rels AS (
              SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'p')
                AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
                AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
                AND (cardinality(CAST(? AS text[])) = 0 OR c.oid IN (SELECT to_regclass(t) FROM unnest(CAST(? AS text[])) t))
            )
            SELECT format('table %s', r.oid::regclass) FROM rels r
            UNION ALL
            SELECT format('column %s.%I %s%s', r.oid::regclass, a.attname, format_type(a.atttypid, a.atttypmod),
                          CASE WHEN a.attnotnull THEN ' not null' ELSE '' END)
            FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
            UNION ALL
            SELECT format('index %s', pg_get_indexdef(i.indexrelid)) FROM rels r JOIN pg_index i ON i.indrelid = r.oid
            UNION ALL
            SELECT format('constraint %s %I: %s', r.oid::regclass, con.conname, pg_get_constraintdef(con.oid))
            FROM rels r JOIN pg_constraint con ON con.conrelid = r.oid""";

    public static SchemaFingerprint of(StepContext context, List<String> tables) throws SQLException {
        List<String> items = context.inTransaction(true, c -> {
            TreeSet<String> out = new TreeSet<>();
            try (PreparedStatement ps = c.prepareStatement(ITEMS)) {
                java.sql.Array filter = c.createArrayOf("text", tables.toArray());
                ps.setArray(1, filter);
                ps.setArray(2, filter);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return new ArrayList<>(out);
        });
        return new SchemaFingerprint(List.copyOf(items), sha256(items));
    }

    public String shortHash() {
        return hash.substring(0, 12);
    }

    private static String sha256(List<String> items) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String item : items) {
                md.update(item.getBytes(StandardCharsets.UTF_8));
                md.update((byte) '\n');
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
