package io.pgrunbook.runbook.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamedSqlTest {

    @Test
    void placeholdersBecomeJdbcMarkersInOrderWithRepeatsKept() {
        NamedSql sql = NamedSql.parse("SELECT * FROM t WHERE a = :a AND b = :b OR a > :a");

        assertThat(sql.jdbcSql()).isEqualTo("SELECT * FROM t WHERE a = ? AND b = ? OR a > ?");
        assertThat(sql.parameters()).containsExactly("a", "b", "a");
        assertThat(sql.distinctParameters()).containsExactly("a", "b");
        assertThat(sql.text()).isEqualTo("SELECT * FROM t WHERE a = :a AND b = :b OR a > :a");
    }

    @Test
    void offsetsPointAtEachPlaceholdersColon() {
        String text = "SELECT :first, :second_one, :first";
        NamedSql sql = NamedSql.parse(text);

        assertThat(sql.offsets()).containsExactly(7, 15, 28);
        for (int offset : sql.offsets()) {
            assertThat(text.charAt(offset)).isEqualTo(':');
        }
    }

    @Test
    void namesTakeLettersDigitsAndUnderscoresAndStopAtAnythingElse() {
        NamedSql sql = NamedSql.parse("SELECT :_a1, :b2.c, :d-1");

        assertThat(sql.parameters()).containsExactly("_a1", "b2", "d");
        assertThat(sql.jdbcSql()).isEqualTo("SELECT ?, ?.c, ?-1");
    }

    @Test
    void doubleColonCastsAreNotPlaceholders() {
        NamedSql sql = NamedSql.parse("SELECT :x::int, now()::date, '1'::text");

        assertThat(sql.jdbcSql()).isEqualTo("SELECT ?::int, now()::date, '1'::text");
        assertThat(sql.parameters()).containsExactly("x");
    }

    @Test
    void singleQuotedLiteralsWithDoubledQuotesAreUntouched() {
        NamedSql sql = NamedSql.parse("SELECT ':a', 'it''s :a', :b");

        assertThat(sql.jdbcSql()).isEqualTo("SELECT ':a', 'it''s :a', ?");
        assertThat(sql.parameters()).containsExactly("b");
    }

    @Test
    void escapeStringsEndAtTheRealClosingQuote() {
        NamedSql escapedQuote = NamedSql.parse("SELECT E'\\':a' || :b");
        NamedSql escapedBackslash = NamedSql.parse("SELECT E'\\\\' || :b");

        assertThat(escapedQuote.parameters()).containsExactly("b");
        assertThat(escapedQuote.jdbcSql()).isEqualTo("SELECT E'\\':a' || ?");
        assertThat(escapedBackslash.parameters()).containsExactly("b");
    }

    @Test
    void backslashEndsNothingInAStandardLiteral() {
        // standard_conforming_strings: '\' is a complete literal, so :b is a placeholder.
        NamedSql sql = NamedSql.parse("SELECT '\\' || :b");

        assertThat(sql.parameters()).containsExactly("b");
    }

    @Test
    void doubleQuotedIdentifiersAreUntouched() {
        NamedSql sql = NamedSql.parse("SELECT \"col:a\", \"we?ird\" FROM t WHERE x = :b");

        assertThat(sql.jdbcSql()).isEqualTo("SELECT \"col:a\", \"we?ird\" FROM t WHERE x = ?");
        assertThat(sql.parameters()).containsExactly("b");
    }

    @Test
    void lineCommentsAreUntouchedUpToTheEndOfTheLine() {
        NamedSql sql = NamedSql.parse("SELECT 1 -- compare with :a?\n, :b");

        assertThat(sql.jdbcSql()).isEqualTo("SELECT 1 -- compare with :a?\n, ?");
        assertThat(sql.parameters()).containsExactly("b");
    }

    @Test
    void nestedBlockCommentsAreUntouchedToTheirOwnEnd() {
        NamedSql sql = NamedSql.parse("SELECT /* x /* :a */ :c */ :b");

        assertThat(sql.jdbcSql()).isEqualTo("SELECT /* x /* :a */ :c */ ?");
        assertThat(sql.parameters()).containsExactly("b");
    }

    @Test
    void dollarQuotedBodiesAreUntouched() {
        NamedSql plain = NamedSql.parse("DO $$ BEGIN PERFORM :a; END $$; SELECT :b");
        NamedSql tagged = NamedSql.parse("SELECT $fn$ :a $$ :c ? $fn$, :b");

        assertThat(plain.parameters()).containsExactly("b");
        assertThat(plain.jdbcSql()).isEqualTo("DO $$ BEGIN PERFORM :a; END $$; SELECT ?");
        assertThat(tagged.parameters()).containsExactly("b");
        assertThat(tagged.jdbcSql()).isEqualTo("SELECT $fn$ :a $$ :c ? $fn$, ?");
    }

    @Test
    void positionalParametersAreNotDollarQuotes() {
        NamedSql sql = NamedSql.parse("SELECT $1, :a, $2");

        assertThat(sql.parameters()).containsExactly("a");
        assertThat(sql.jdbcSql()).isEqualTo("SELECT $1, ?, $2");
    }

    @Test
    void questionMarkOperatorsAreDoubledOutsideLiteralsOnly() {
        NamedSql sql = NamedSql.parse("SELECT data ? 'k', data ?| array[:keys], '?' FROM t");

        assertThat(sql.jdbcSql()).isEqualTo("SELECT data ?? 'k', data ??| array[?], '?' FROM t");
        assertThat(sql.parameters()).containsExactly("keys");
    }

    @Test
    void arraySlicesWithNumbersAreUntouched() {
        NamedSql sql = NamedSql.parse("SELECT a[1:2], a[:n]");

        assertThat(sql.jdbcSql()).isEqualTo("SELECT a[1:2], a[?]");
        assertThat(sql.parameters()).containsExactly("n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT x:y", "SELECT a[1:hi]", "SELECT 'abc'::text"})
    void aColonRightAfterANameCharacterIsNotAPlaceholder(String text) {
        NamedSql sql = NamedSql.parse(text);

        assertThat(sql.parameters()).isEmpty();
        assertThat(sql.jdbcSql()).isEqualTo(text);
    }

    @Test
    void aPlaceholderEndsWhereANewColonStarts() {
        NamedSql sql = NamedSql.parse("SELECT :a:b");

        assertThat(sql.parameters()).containsExactly("a");
        assertThat(sql.jdbcSql()).isEqualTo("SELECT ?:b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT :", "SELECT : a", "SELECT :1", "SELECT 'unterminated :a", "SELECT /* open :a"})
    void textWithoutAPlaceholderIsKeptAsWritten(String text) {
        NamedSql sql = NamedSql.parse(text);

        assertThat(sql.parameters()).isEmpty();
        assertThat(sql.jdbcSql()).isEqualTo(text);
    }

    @Test
    void statementsSplitAtSemicolonsOutsideLiteralsQuotesDollarBodiesAndComments() {
        NamedSql sql = NamedSql.parse("""
                DELETE FROM payments WHERE note = 'a;b' AND customer_id = :id;  -- first; not a split
                DELETE FROM "odd;name" WHERE customer_id = :id;
                DO $x$ BEGIN PERFORM 1; END $x$;
                /* only a comment; */ ;
                SELECT 1
                """);

        assertThat(sql.statements()).containsExactly(
                "DELETE FROM payments WHERE note = 'a;b' AND customer_id = :id",
                "-- first; not a split\nDELETE FROM \"odd;name\" WHERE customer_id = :id",
                "DO $x$ BEGIN PERFORM 1; END $x$",
                "SELECT 1");
        assertThat(sql.statements()).hasSameSizeAs(sql.statementHeads());
    }

    @Test
    void oneStatementWithATrailingSemicolonIsOne() {
        assertThat(NamedSql.parse("VACUUM t;\n").statements()).containsExactly("VACUUM t");
    }
}
