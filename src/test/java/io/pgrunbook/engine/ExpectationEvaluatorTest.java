package io.pgrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.ExpectationEvaluator.Verdict;
import io.pgrunbook.runbook.expect.Assertion;
import io.pgrunbook.runbook.expect.CompareOp;
import io.pgrunbook.runbook.expect.Comparison;
import io.pgrunbook.runbook.expect.Expectation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpectationEvaluatorTest {

    private static Expectation expect(Assertion... assertions) {
        return new Expectation(List.of(assertions), Expectation.DEFAULT_MAX_ROWS);
    }

    private static Comparison cmp(CompareOp op, Object value) {
        return new Comparison(op, value);
    }

    private static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }

    private static ResultTable table(List<String> columns, List<Object>... rows) {
        return ResultTable.of(columns, List.of(rows));
    }

    private static ResultTable single(Object value) {
        return table(List.of("v"), row(value));
    }

    // rows

    @Test
    void rowCountPassesAndFailsOnTheCount() {
        ResultTable three = table(List.of("n"), row(1L), row(2L), row(3L));

        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.RowCount(cmp(CompareOp.EQ, 3L))), three).passed()).isTrue();
        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.RowCount(cmp(CompareOp.GT, 0L))), three).passed()).isTrue();
        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.RowCount(cmp(CompareOp.LE, 2L))), three).passed()).isFalse();
    }

    @Test
    void failedRowCountSaysHowManyAndShowsTheRows() {
        ResultTable two = table(List.of("relname"), row("a"), row("b"));

        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.RowCount(cmp(CompareOp.EQ, 0L))), two);

        assertThat(v.passed()).isFalse();
        assertThat(v.invalid()).isNull();
        assertThat(v.evidence().expected()).isEqualTo("rows = 0");
        assertThat(v.evidence().observed()).isEqualTo("2 rows");
        assertThat(v.evidence().rows()).containsExactly(List.of("a"), List.of("b"));
        assertThat(v.evidence().totalRows()).isEqualTo(2);
    }

    @Test
    void rowCountUsesTheTotalEvenWhenRowsWereTruncated() {
        List<List<Object>> kept = new ArrayList<>();
        for (long i = 0; i < 5; i++) {
            kept.add(row(i));
        }
        ResultTable truncated = new ResultTable(List.of("n"), kept, 20_000, true);

        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.RowCount(cmp(CompareOp.GT, 10_000L))), truncated);

        assertThat(v.passed()).isTrue();
        assertThat(v.invalid()).isNull();
    }

    @Test
    void emptyIsRowCountZero() {
        Expectation empty = expect(new Assertion.RowCount(cmp(CompareOp.EQ, 0L)));

        assertThat(ExpectationEvaluator.evaluate(empty, table(List.of("x"))).passed()).isTrue();
        assertThat(ExpectationEvaluator.evaluate(empty, table(List.of("x"), row(1L))).passed()).isFalse();
    }

    // value

    @Test
    void valueComparesTheSingleCell() {
        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.EQ, 0L))), single(0L)).passed()).isTrue();
        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.GE, new BigDecimal("0.95")))),
                single(0.97d)).passed()).isTrue();
        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.LT, 100_000L))), single("99999")).passed()).isTrue();
        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.EQ, true))), single("t")).passed()).isTrue();
        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.IN, List.of("h", "n")))), single("h")).passed()).isTrue();
        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.NOT_IN, List.of("h", "n")))), single("h")).passed()).isFalse();
    }

    @Test
    void failedValueSaysWhatItSaw() {
        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.EQ, 0L))), single(3L));

        assertThat(v.passed()).isFalse();
        assertThat(v.evidence().observed()).isEqualTo("value 3");
        assertThat(v.evidence().rows()).containsExactly(List.of(3L));
    }

    @Test
    void nullValueFailsAnOrderingAndPassesEqNull() {
        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.LT, 5L))), single(null)).passed()).isFalse();
        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.EQ, null))), single(null)).passed()).isTrue();
        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.NE, null))), single(null)).passed()).isFalse();

        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.LT, 5L))), single(null));
        assertThat(v.evidence().observed()).isEqualTo("value NULL");
    }

    @Test
    void valueOnNoRowsFailsSayingSo() {
        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.EQ, 0L))), table(List.of("v")));

        assertThat(v.passed()).isFalse();
        assertThat(v.invalid()).isNull();
        assertThat(v.evidence().observed()).isEqualTo("expected a single value, got 0 rows");
    }

    @Test
    void valueOnTwoRowsFailsSayingSo() {
        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.EQ, 0L))),
                table(List.of("v"), row(0L), row(0L)));

        assertThat(v.passed()).isFalse();
        assertThat(v.evidence().observed()).isEqualTo("expected a single value, got 2 rows");
        assertThat(v.evidence().rows()).hasSize(2);
    }

    @Test
    void valueOfAQueryWithoutColumnsCannotBeJudged() {
        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.EQ, 0L))),
                ResultTable.of(List.of(), List.of()));

        assertThat(v.passed()).isFalse();
        assertThat(v.invalid()).contains("returns a column");
    }

    // each

    @Test
    void eachPassesWhenEveryRowHolds() {
        ResultTable t = table(List.of("relname", "n_dead_tup"), row("a", 10L), row("b", 99_999L));

        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.EachRow("n_dead_tup", cmp(CompareOp.LT, 100_000L))), t);

        assertThat(v.passed()).isTrue();
        assertThat(v.evidence().observed()).isEqualTo("2 rows");
    }

    @Test
    void eachFailureShowsOnlyTheOffendingRows() {
        ResultTable t = table(List.of("relname", "partmethod"), row("a", "h"), row("b", "n"), row("c", "h"), row("d", null));

        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.EachRow("partmethod", cmp(CompareOp.EQ, "h"))), t);

        assertThat(v.passed()).isFalse();
        assertThat(v.evidence().observed()).isEqualTo("2 rows of 4 with partmethod not = 'h'");
        assertThat(v.evidence().rows()).containsExactly(List.of("b", "n"), Arrays.asList("d", null));
        assertThat(v.evidence().columns()).containsExactly("relname", "partmethod");
    }

    @Test
    void eachMatchesTheColumnNameIgnoringCase() {
        ResultTable t = table(List.of("Count"), row(1L));

        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.EachRow("count", cmp(CompareOp.EQ, 1L))), t).passed()).isTrue();
    }

    @Test
    void eachOnAMissingColumnIsInvalidAndNamesTheColumns() {
        ResultTable t = table(List.of("relname", "n_dead_tup"), row("a", 1L));

        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.EachRow("dead", cmp(CompareOp.LT, 5L))), t);

        assertThat(v.passed()).isFalse();
        assertThat(v.invalid()).isEqualTo("expect.each names column 'dead', which the query does not return (columns: relname, n_dead_tup)");
        assertThat(v.evidence().observed()).isEqualTo(v.invalid());
    }

    @Test
    void eachOverATruncatedResultIsInvalid() {
        ResultTable t = new ResultTable(List.of("n"), List.of(row(1L), row(2L)), 20_000, true);

        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.EachRow("n", cmp(CompareOp.GT, 0L))), t);

        assertThat(v.passed()).isFalse();
        assertThat(v.invalid()).contains("more than " + ResultTable.MAX_ROWS + " rows");
    }

    @Test
    void eachOnNoRowsHoldsVacuously() {
        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.EachRow("n", cmp(CompareOp.GT, 0L))), table(List.of("n"))).passed())
                .isTrue();
    }

    // same

    @Test
    void sameOverSeveralColumnsBlamesTheMinority() {
        ResultTable t = table(List.of("relname", "colocationid", "shardcount"),
                row("a", 1L, 32L), row("b", 1L, 32L), row("c", 2L, 32L), row("d", 1L, 32L), row("e", 1L, 16L));

        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.SameValue(List.of("colocationid", "shardcount"))), t);

        assertThat(v.passed()).isFalse();
        assertThat(v.evidence().rows()).containsExactly(List.of("c", 2L, 32L), List.of("e", 1L, 16L));
        assertThat(v.evidence().observed())
                .isEqualTo("3 different values of colocationid, shardcount: 1, 32 (3 rows), 2, 32 (1 row), 1, 16 (1 row)");
    }

    @Test
    void samePassesWhenAllRowsAgree() {
        ResultTable t = table(List.of("relname", "colocationid"), row("a", 7L), row("b", 7L));

        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.SameValue(List.of("colocationid"))), t);

        assertThat(v.passed()).isTrue();
        assertThat(v.evidence().rows()).hasSize(2);
    }

    @Test
    void sameTellsNullApartFromTheTextNull() {
        ResultTable t = table(List.of("v"), row("NULL"), row((Object) null));

        assertThat(ExpectationEvaluator.evaluate(expect(new Assertion.SameValue(List.of("v"))), t).passed()).isFalse();
    }

    @Test
    void sameShowsNoMoreOffendingRowsThanMaxRows() {
        List<List<Object>> rows = new ArrayList<>();
        for (long i = 0; i < 20; i++) {
            rows.add(row("r" + i, i < 12 ? 1L : 2L + i));
        }
        ResultTable t = ResultTable.of(List.of("relname", "colocationid"), rows);

        Verdict v = ExpectationEvaluator.evaluate(new Expectation(List.of(new Assertion.SameValue(List.of("colocationid"))), 3), t);

        assertThat(v.passed()).isFalse();
        assertThat(v.evidence().rows()).hasSize(3);
        assertThat(v.evidence().rows()).allSatisfy(r -> assertThat(r.get(1)).isNotEqualTo(1L));
        assertThat(v.evidence().totalRows()).isEqualTo(20);
    }

    @Test
    void sameOnAMissingColumnIsInvalid() {
        ResultTable t = table(List.of("colocationid"), row(1L));

        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.SameValue(List.of("colocationid", "shards"))), t);

        assertThat(v.passed()).isFalse();
        assertThat(v.invalid()).contains("expect.same names column 'shards'");
    }

    @Test
    void sameOverATruncatedResultIsInvalid() {
        ResultTable t = new ResultTable(List.of("c"), List.of(row(1L), row(1L)), 20_000, true);

        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.SameValue(List.of("c"))), t);

        assertThat(v.passed()).isFalse();
        assertThat(v.invalid()).contains("too many to judge row by row");
    }

    // several assertions, evidence

    @Test
    void allAssertionsMustHoldAndEveryFailureIsReported() {
        ResultTable t = table(List.of("n"), row(1L), row(50L));

        Verdict v = ExpectationEvaluator.evaluate(expect(
                new Assertion.RowCount(cmp(CompareOp.EQ, 1L)),
                new Assertion.EachRow("n", cmp(CompareOp.LT, 10L))), t);

        assertThat(v.passed()).isFalse();
        assertThat(v.evidence().observed()).isEqualTo("2 rows; 1 row of 2 with n not < 10");
        assertThat(v.evidence().expected()).isEqualTo("rows = 1 and every row: n < 10");
    }

    @Test
    void anInvalidAssertionWinsOverFailures() {
        ResultTable t = table(List.of("n"), row(1L), row(2L));

        Verdict v = ExpectationEvaluator.evaluate(expect(
                new Assertion.RowCount(cmp(CompareOp.EQ, 0L)),
                new Assertion.EachRow("missing", cmp(CompareOp.EQ, 1L))), t);

        assertThat(v.invalid()).contains("'missing'");
    }

    @Test
    void aPassingVerdictCarriesSampleRowsUpToMaxRows() {
        List<List<Object>> rows = new ArrayList<>();
        for (long i = 0; i < 15; i++) {
            rows.add(row(i));
        }
        ResultTable t = ResultTable.of(List.of("n"), rows);

        Verdict v = ExpectationEvaluator.evaluate(new Expectation(List.of(new Assertion.RowCount(cmp(CompareOp.GT, 0L))), 4), t);

        assertThat(v.passed()).isTrue();
        assertThat(v.invalid()).isNull();
        assertThat(v.evidence().rows()).containsExactly(List.of(0L), List.of(1L), List.of(2L), List.of(3L));
        assertThat(v.evidence().observed()).isEqualTo("15 rows");
        assertThat(v.evidence().totalRows()).isEqualTo(15);
    }

    @Test
    void aPassingSingleValueIsShownAsTheValue() {
        Verdict v = ExpectationEvaluator.evaluate(expect(new Assertion.ScalarValue(cmp(CompareOp.EQ, "h"))), single("h"));

        assertThat(v.passed()).isTrue();
        assertThat(v.evidence().observed()).isEqualTo("value 'h'");
        assertThat(v.evidence().rows()).containsExactly(List.of("h"));
    }

    @Test
    void observedWithoutExpectationShowsWhatCameBack() {
        var e = ExpectationEvaluator.observed(table(List.of("a", "b"), row(1L, 2L), row(3L, 4L), row(5L, 6L)), 2);

        assertThat(e.expected()).isNull();
        assertThat(e.observed()).isEqualTo("3 rows");
        assertThat(e.rows()).hasSize(2);
    }
}
