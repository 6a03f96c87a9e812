package io.pgrunbook.steps.migrate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * After {@code up}: what must hold at the end of the run. Every index the run created that exists is
 * valid (a failed CONCURRENTLY build leaves an INVALID one), and every object the applied migrations
 * leave behind (per {@link EndStateModel}) exists. Each problem names the migration responsible.
 */
final class EndStateVerifier {
    /** One row per expected object: does it exist (in its schema, or in any when unqualified), and are all indexes of that name valid. */
    private static final String CHECK = """
            SELECT u.k, u.s, u.n,
                   CASE u.k
                     WHEN 'function' THEN EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace ns ON ns.oid = p.pronamespace
                                                   WHERE p.proname = u.n AND (u.s IS NULL OR ns.nspname = u.s))
                     WHEN 'type' THEN EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace ns ON ns.oid = t.typnamespace
                                               WHERE t.typname = u.n AND (u.s IS NULL OR ns.nspname = u.s))
                     WHEN 'schema' THEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = u.n)
                     WHEN 'extension' THEN EXISTS (SELECT 1 FROM pg_extension WHERE extname = u.n)
                     ELSE EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
                                   WHERE c.relname = u.n AND (u.s IS NULL OR ns.nspname = u.s))
                   END,
                   (SELECT bool_and(i.indisvalid) FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
                      JOIN pg_index i ON i.indexrelid = c.oid
                     WHERE u.k = 'index' AND c.relname = u.n AND (u.s IS NULL OR ns.nspname = u.s))
              FROM unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS u(k, s, n, o)
             ORDER BY u.o""";

    private EndStateVerifier() {}

    /** The problems, each naming its migration; empty when the end state is as the migrations say. */
    static List<String> verify(Connection c, EndStateModel model) throws SQLException {
        Map<String, EndStateModel.Expected> all = new LinkedHashMap<>();
        model.expected().forEach(all::put);
        for (EndStateModel.Expected e : model.indexesEverCreated()) {
            all.putIfAbsent("index:" + e.name(), new EndStateModel.Expected(e.kind(), e.schema(), e.name(), e.table(), e.origin(), true));
        }
        List<String> problems = new ArrayList<>();
        if (all.isEmpty()) {
            return problems;
        }
        List<EndStateModel.Expected> list = new ArrayList<>(all.values());
        try (PreparedStatement ps = c.prepareStatement(CHECK)) {
            ps.setArray(1, c.createArrayOf("text", list.stream().map(EndStateModel.Expected::kind).toArray()));
            ps.setArray(2, c.createArrayOf("text", list.stream().map(EndStateModel.Expected::schema).toArray()));
            ps.setArray(3, c.createArrayOf("text", list.stream().map(EndStateModel.Expected::name).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                int i = 0;
                while (rs.next()) {
                    EndStateModel.Expected e = list.get(i++);
                    boolean exists = rs.getBoolean(4);
                    Object valid = rs.getObject(5);
                    if (valid != null && !rs.getBoolean(5)) {
                        problems.add("index " + e.name() + " is INVALID (created by migration " + e.origin() + "; remove it with "
                                + "DROP INDEX CONCURRENTLY " + (e.schema() == null ? "" : SchemaHistory.quoteIdent(e.schema()) + ".")
                                + SchemaHistory.quoteIdent(e.name()) + " and build it again)");
                    } else if (!exists && !e.uncertain()) {
                        problems.add(e.display() + " does not exist, although migration " + e.origin() + " left it behind and no later "
                                + "migration drops or renames it");
                    }
                }
            }
        }
        return problems;
    }
}
