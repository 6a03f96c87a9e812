package io.pgrunbook.steps.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The splitter on what PostgreSQL's own regression SQL is made of. */
class SqlScriptTest {
    private static List<String> texts(String sql) {
        return SqlScript.split(sql).stream().map(SqlScript.Statement::text).toList();
    }

    @Test
    void dollarQuotesWithDigitsInTheTagAndPositionalParameters() {
        assertEquals(List.of("CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body1$ BEGIN RETURN 1; END $body1$", "SELECT 2"),
                texts("CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body1$ BEGIN RETURN 1; END $body1$;\nSELECT 2;"));
        assertEquals(List.of("PREPARE p(int) AS SELECT $1", "EXECUTE p(1)"), texts("PREPARE p(int) AS SELECT $1; EXECUTE p(1);"));
    }

    @Test
    void beginAtomicBodiesKeepTheirSemicolons() {
        String fn = """
                CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql
                BEGIN ATOMIC
                  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;
                  SELECT x;
                END""";
        assertEquals(List.of(fn, "SELECT f(1)"), texts(fn + ";\nSELECT f(1);"));
        assertEquals(List.of("CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END", "BEGIN", "COMMIT"),
                texts("CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END; BEGIN; COMMIT;"));
    }

    @Test
    void copyFromStdinCarriesItsDataToTheBackslashDotLine() {
        List<SqlScript.Statement> s = SqlScript.split("COPY t (a, b) FROM stdin;\n1\tx;y\n2\t\\N\n\\.\nSELECT 3;\n");
        assertEquals(2, s.size());
        assertEquals("1\tx;y\n2\t\\N\n", s.get(0).copyData());
        assertEquals("SELECT 3", s.get(1).text());
        assertEquals(5, s.get(1).line());
        assertNull(s.get(1).copyData());
    }

    @Test
    void stringsCommentsAndQuotedIdentifiers() {
        assertEquals(List.of("SELECT E'a\\';b', 'c'';d', \"e;f\"", "SELECT /* x; /* nested; */ y */ 1"),
                texts("SELECT E'a\\';b', 'c'';d', \"e;f\"; -- g;\nSELECT /* x; /* nested; */ y */ 1;"));
    }

    @Test
    void psqlMetaCommandsAreRefusedWithTheirLine() {
        SqlScript.NotSqlException e = assertThrows(SqlScript.NotSqlException.class, () -> SqlScript.split("SELECT 1;\n\\set x 1\nSELECT :x;"));
        assertTrue(e.getMessage().startsWith("line 2: \\set is a psql meta-command"), e.getMessage());
        // Inside quotes and COPY data a backslash is data.
        assertEquals(2, SqlScript.split("SELECT E'\\\\d';\nCOPY t FROM stdin;\n\\x\n\\.\n").size());
    }
}
