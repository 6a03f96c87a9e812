package io.pgrunbook.steps.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every rule beyond the first thirteen: a case that fires and its safe rewrite that must not, and the
 * cases whose verdict depends on the server version. Files are separated by "=>" and linted in order
 * with one context, as a directory is.
 */
class LintRulesTest {
    private static List<String> rules(String version, String files) {
        LintContext ctx = new LintContext(LintContext.parseVersion(version));
        List<String> out = new ArrayList<>();
        int n = 1;
        for (String sql : files.replace("\\n", "\n").split("=>")) {
            Linter.lint(Path.of(n++ + "_x.up.sql"), SqlScript.split(sql), false, ctx).forEach(f -> out.add(f.rule().id()));
        }
        return out;
    }

    @ParameterizedTest(name = "[{index}] pg {0}: {1}")
    @CsvSource(delimiter = '|', value = {
        // UNIQUE / PRIMARY KEY without USING INDEX
        "17|ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)|unique-without-index",
        "17|ALTER TABLE t ADD PRIMARY KEY (id)|unique-without-index",
        "17|ALTER TABLE t ADD COLUMN id bigint PRIMARY KEY|unique-without-index",
        "17|ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX t_a_idx|",
        "17|CREATE TABLE n (a int); ALTER TABLE n ADD CONSTRAINT u UNIQUE (a)|",
        // REINDEX and DETACH PARTITION
        "17|REINDEX INDEX t_a_idx|reindex-locks",
        "17|REINDEX INDEX CONCURRENTLY t_a_idx|",
        "17|REINDEX (VERBOSE) TABLE CONCURRENTLY t|",
        "17|ALTER TABLE p DETACH PARTITION p1|detach-partition-locks",
        "17|ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY|",
        // transactions written into the file
        "17|BEGIN; CREATE INDEX CONCURRENTLY i ON t (a); COMMIT|transaction-control,concurrently-in-transaction,not-rerunnable,transaction-control",
        "17|CREATE INDEX CONCURRENTLY i ON t (a)|",
        "17|BEGIN; CREATE TABLE n (a int)|transaction-control,transaction-left-open",
        "17|START TRANSACTION; CREATE TABLE n (a int); COMMIT|transaction-control,transaction-control",
        "17|CREATE TABLE n (a int)|",
        // drops
        "17|DROP DATABASE app|drop-database",
        "17|ALTER TABLE t ALTER COLUMN a DROP NOT NULL|drop-not-null",
        "17|ALTER TABLE t ALTER COLUMN a DROP DEFAULT|",
        // domains
        "17|CREATE DOMAIN pos AS int CHECK (VALUE > 0)|domain-constraint",
        "17|CREATE DOMAIN label AS text|",
        "17|ALTER DOMAIN pos ADD CONSTRAINT p CHECK (VALUE > 0)|domain-constraint",
        "17|ALTER DOMAIN pos ADD CONSTRAINT p CHECK (VALUE > 0) NOT VALID|",
        // enums
        "17|ALTER TYPE mood ADD VALUE 'meh'|enum-value-order",
        "17|ALTER TYPE mood ADD VALUE 'meh' AFTER 'ok'|",
        "17|ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'; CREATE TABLE n (m mood DEFAULT 'meh')|enum-value-used-in-transaction",
        "17|ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok' => CREATE TABLE n (m mood DEFAULT 'meh')|",
        // before 12, ADD VALUE cannot run in a transaction, so the file runs outside one: no 55P04, but no rerun either
        "11|ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'; CREATE TABLE n (m mood DEFAULT 'meh')|not-rerunnable",
        "11|ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'ok'; CREATE TABLE IF NOT EXISTS n (m mood DEFAULT 'meh')|",
        // identifiers
        "17|CREATE TABLE this_table_name_is_much_longer_than_postgresql_keeps_without_a_word_x (a int)|identifier-too-long",
        "17|CREATE TABLE a_table_name_of_exactly_sixty_three_bytes_is_kept_whole_by_pgxx (a int)|",
        "17|CREATE TABLE \"é_un_nom_qui_fait_soixante_quatre_octets_en_utf8_car_é_compte_2\" (a int)|identifier-too-long",
        // defaults: volatile built-ins, functions the migrations define, versions
        "17|ALTER TABLE t ADD COLUMN c timestamptz DEFAULT clock_timestamp()|volatile-default",
        "17|ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now()|",
        "17|ALTER TABLE t ADD COLUMN c int DEFAULT 0|",
        "17|CREATE FUNCTION next_code() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$ => ALTER TABLE t ADD COLUMN c int DEFAULT next_code()|volatile-default",
        "17|CREATE FUNCTION code() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$ => ALTER TABLE t ADD COLUMN c int DEFAULT code()|",
        "17|ALTER TABLE t ADD COLUMN c int DEFAULT unknown_fn()|volatile-default",
        "17|ALTER TABLE t ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY|volatile-default",
        "10|ALTER TABLE t ADD COLUMN c int DEFAULT 0|default-rewrite",
        "9.6|ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0|default-rewrite",
        "11|ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0|",
        // stored generated columns
        "17|ALTER TABLE t ADD COLUMN total numeric GENERATED ALWAYS AS (a * b) STORED|stored-generated-column",
        "17|ALTER TABLE t ADD COLUMN total numeric|",
        // NOT VALID then VALIDATE
        "17|ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT f|validate-in-same-transaction",
        "17|ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID => ALTER TABLE t VALIDATE CONSTRAINT f|",
        // statements that cannot run twice, in a migration outside a transaction
        "17|CREATE TABLE n (a int); CREATE INDEX CONCURRENTLY n_a ON t (a)|not-rerunnable,not-rerunnable",
        "17|CREATE TABLE IF NOT EXISTS n (a int); CREATE INDEX CONCURRENTLY IF NOT EXISTS n_a ON t (a)|",
        "17|DROP INDEX CONCURRENTLY t_old; ALTER TABLE t ADD COLUMN c int|not-rerunnable,not-rerunnable",
        "17|DROP INDEX CONCURRENTLY IF EXISTS t_old; ALTER TABLE t ADD COLUMN IF NOT EXISTS c int|",
        // SET NOT NULL: spared by a validated CHECK (col IS NOT NULL) from 12 on, in the same or an earlier migration
        "17|ALTER TABLE t ALTER COLUMN a SET NOT NULL|set-not-null",
        "17|ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID => ALTER TABLE t VALIDATE CONSTRAINT a_nn => ALTER TABLE t ALTER COLUMN a SET NOT NULL|",
        "12|ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID => ALTER TABLE t VALIDATE CONSTRAINT a_nn => ALTER TABLE t ALTER COLUMN a SET NOT NULL|",
        "11|ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID => ALTER TABLE t VALIDATE CONSTRAINT a_nn => ALTER TABLE t ALTER COLUMN a SET NOT NULL|set-not-null",
        "17|ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID => ALTER TABLE t ALTER COLUMN a SET NOT NULL|set-not-null",
        "17|ALTER TABLE t ADD CONSTRAINT b_nn CHECK (b IS NOT NULL) NOT VALID => ALTER TABLE t VALIDATE CONSTRAINT b_nn => ALTER TABLE t ALTER COLUMN a SET NOT NULL|set-not-null",
        // pgrunbook:allow comments that silence nothing are reported
        "17|-- pgrunbook:allow drop-table replaced in release 41\\nDROP TABLE t|",
        "17|-- pgrunbook:allow drop-table replaced in release 41\\nDROP INDEX CONCURRENTLY i|unused-allow",
    })
    void firesAndItsSafeRewriteDoesNot(String version, String files, String expected) {
        List<String> want = expected == null ? List.of() : List.of(expected.split(","));
        assertEquals(want, rules(version, files), files);
    }
}
