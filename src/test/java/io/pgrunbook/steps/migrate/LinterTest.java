package io.pgrunbook.steps.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LinterTest {
    private static List<String> rules(String sql) {
        return Linter.lint(Path.of("1_x.up.sql"), SqlScript.split(sql), false).stream().map(f -> f.rule().id()).toList();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "CREATE INDEX i ON t (a)|create-index-locks",
        "CREATE INDEX CONCURRENTLY i ON t (a)|",
        "CREATE TABLE t (a int); CREATE INDEX i ON t (a)|",
        "DROP INDEX i|drop-index-locks",
        "DROP INDEX CONCURRENTLY i|",
        "ALTER TABLE t ADD COLUMN c int NOT NULL|not-null-without-default",
        "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0|",
        "ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()|volatile-default",
        "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now()|",
        "ALTER TABLE t ALTER COLUMN c TYPE bigint|column-type-change",
        "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id)|constraint-without-not-valid",
        "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID|",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)|constraint-without-not-valid",
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL|set-not-null",
        "ALTER TABLE t DROP COLUMN a|drop-column",
        "ALTER TABLE t DROP CONSTRAINT c|",
        "DROP TABLE t|drop-table",
        "ALTER TABLE t RENAME COLUMN a TO b|rename",
        "TRUNCATE t|truncate",
        "VACUUM FULL t|table-rewrite",
        "VACUUM t|",
        "CLUSTER t|table-rewrite",
        "UPDATE t SET a = 1|data-change",
        "INSERT INTO t VALUES (1)|data-change",
        "SELECT 'DROP TABLE t'|",
        "-- pgrunbook:allow drop-table replaced by t2 in release 41\\nDROP TABLE t|",
        "-- pgrunbook:allow drop-table\\nDROP TABLE t|invalid-allow,drop-table",
    })
    void eachRuleFiresAndDoesNotWhereItMustNot(String sql, String expected) {
        List<String> want = expected == null ? List.of() : List.of(expected.split(","));
        assertEquals(want, rules(sql.replace("\\n", "\n")), sql);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"a\\nb|a\\r\\nb", "x;\\ny\\n|x;\\r\\ny\\r\\n"})
    void crlfChecksumIsTheSame(String lf, String crlf) {
        assertEquals(Migration.checksum(lf.replace("\\n", "\n")), Migration.checksum(crlf.replace("\\n", "\n").replace("\\r", "\r")));
    }
}
