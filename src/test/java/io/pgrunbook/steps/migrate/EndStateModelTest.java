package io.pgrunbook.steps.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EndStateModelTest {
    private static Map<String, Boolean> expected(String... parts) {
        EndStateModel model = new EndStateModel();
        for (int i = 0; i < parts.length; i++) {
            model.apply(String.valueOf(i + 1), (i + 1) + "_x.up.sql", SqlScript.split(parts[i]));
        }
        Map<String, Boolean> out = new TreeMap<>();
        model.expected().values().forEach(e -> out.put(e.kind() + ":" + (e.schema() == null ? "" : e.schema() + ".") + e.name(), e.uncertain()));
        return out;
    }

    @Test
    void createdThenDroppedOrRenamedIsNotExpected() {
        assertEquals(Map.of("relation:t", false, "index:t_b", false),
                expected("CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);", "ALTER INDEX t_a RENAME TO t_b;"));
        assertEquals(Map.of("relation:t", false), expected("CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);", "DROP INDEX CONCURRENTLY IF EXISTS t_a;"));
        assertEquals(Map.of(), expected("CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);", "DROP TABLE IF EXISTS x, t CASCADE;"));
    }

    @Test
    void renamedTablesKeepTheirIndexesAndFunctionsFollowRenames() {
        assertEquals(Map.of("relation:u", false, "index:t_a", false, "function:g", false),
                expected("CREATE TABLE t (a int); CREATE INDEX t_a ON t (a); CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
                        "ALTER TABLE t RENAME TO u; ALTER FUNCTION f(int) RENAME TO g;", "DROP TABLE v;"));
        // Dropping the renamed table takes its indexes with it.
        assertEquals(Map.of(), expected("CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);", "ALTER TABLE t RENAME TO u;", "DROP TABLE u;"));
    }

    @Test
    void constraintsThatOwnAnIndexRenameOrDropIt() {
        assertEquals(Map.of("relation:t", false, "index:t_uk", false),
                expected("CREATE TABLE t (a int); CREATE UNIQUE INDEX CONCURRENTLY t_a ON t (a);",
                        "ALTER TABLE t ADD CONSTRAINT t_u UNIQUE USING INDEX t_a;", "ALTER TABLE t RENAME CONSTRAINT t_u TO t_uk;"));
        assertEquals(Map.of("relation:t", false), expected("CREATE TABLE t (a int); CREATE UNIQUE INDEX t_a ON t (a);",
                "ALTER TABLE t ADD CONSTRAINT t_u UNIQUE USING INDEX t_a;", "ALTER TABLE t DROP CONSTRAINT t_u;"));
    }

    @Test
    void whatTheTextCannotTellIsUncertainNotMissing() {
        // A DO block that mentions the index, and a dropped column that may have carried it.
        assertEquals(Map.of("relation:t", false, "index:t_a", true),
                expected("CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);", "DO $$ BEGIN EXECUTE 'DROP INDEX t_a'; END $$;"));
        assertEquals(Map.of("relation:t", false, "index:t_a", true),
                expected("CREATE TABLE t (a int, b int); CREATE INDEX t_a ON t (a);", "ALTER TABLE t DROP COLUMN a;"));
        assertEquals(List.of("index:x.i", "relation:x.t", "schema:x"),
                List.copyOf(expected("CREATE SCHEMA x; CREATE TABLE x.t (a int); CREATE INDEX i ON x.t (a);").keySet()));
        assertEquals(Map.of(), expected("CREATE SCHEMA x; CREATE TABLE x.t (a int); CREATE INDEX i ON x.t (a);", "DROP SCHEMA x CASCADE;"));
    }

    @Test
    void temporaryTablesAndQuotedNames() {
        assertEquals(Map.of("relation:Mixed Case", false, "index:Mixed_idx", false),
                expected("CREATE TEMP TABLE scratch (a int); CREATE TABLE \"Mixed Case\" (a int); CREATE INDEX \"Mixed_idx\" ON \"Mixed Case\" (a);"));
    }
}
