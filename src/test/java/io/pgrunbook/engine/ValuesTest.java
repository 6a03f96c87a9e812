package io.pgrunbook.engine;

import static io.pgrunbook.runbook.expect.CompareOp.EQ;
import static io.pgrunbook.runbook.expect.CompareOp.GE;
import static io.pgrunbook.runbook.expect.CompareOp.GT;
import static io.pgrunbook.runbook.expect.CompareOp.IN;
import static io.pgrunbook.runbook.expect.CompareOp.LE;
import static io.pgrunbook.runbook.expect.CompareOp.LT;
import static io.pgrunbook.runbook.expect.CompareOp.NE;
import static io.pgrunbook.runbook.expect.CompareOp.NOT_IN;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.runbook.expect.CompareOp;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValuesTest {

    @Test
    void numbersOfDifferentJavaTypesCompareByValue() {
        assertThat(Values.test(10L, EQ, new BigDecimal("10.00"))).isTrue();
        assertThat(Values.test(0.5d, EQ, new BigDecimal("0.5"))).isTrue();
        assertThat(Values.test(new BigDecimal("0.96"), GE, new BigDecimal("0.95"))).isTrue();
        assertThat(Values.test(3L, LT, 2.5d)).isFalse();
        assertThat(Values.test(1, EQ, 1L)).isTrue();
    }

    @Test
    void numericStringsCompareAsNumbersNotText() {
        assertThat(Values.test("10", GT, "9")).isTrue();
        assertThat(Values.test("10", GT, 9L)).isTrue();
        assertThat(Values.test(" 7 ", EQ, 7L)).isTrue();
        assertThat(Values.test("1e3", EQ, 1000L)).isTrue();
        assertThat(Values.test("100", LT, "20")).isFalse();
    }

    @Test
    void everyOrderingOperator() {
        assertThat(Values.test(5L, LT, 6L)).isTrue();
        assertThat(Values.test(6L, LT, 6L)).isFalse();
        assertThat(Values.test(6L, LE, 6L)).isTrue();
        assertThat(Values.test(7L, LE, 6L)).isFalse();
        assertThat(Values.test(7L, GT, 6L)).isTrue();
        assertThat(Values.test(6L, GT, 6L)).isFalse();
        assertThat(Values.test(6L, GE, 6L)).isTrue();
        assertThat(Values.test(5L, GE, 6L)).isFalse();
        assertThat(Values.test(5L, NE, 6L)).isTrue();
        assertThat(Values.test(5L, NE, 5.0d)).isFalse();
    }

    @Test
    void textThatIsNoNumberComparesAsText() {
        assertThat(Values.test("h", EQ, "h")).isTrue();
        assertThat(Values.test("abc", LT, "abd")).isTrue();
        assertThat(Values.test("H", EQ, "h")).isFalse();
        assertThat(Values.test("", EQ, "")).isTrue();
        assertThat(Values.test("10", EQ, "ten")).isFalse();
    }

    @Test
    void nullEqualsOnlyNull() {
        assertThat(Values.test(null, EQ, null)).isTrue();
        assertThat(Values.test(null, EQ, 0L)).isFalse();
        assertThat(Values.test(0L, EQ, null)).isFalse();
        assertThat(Values.test(null, NE, null)).isFalse();
        assertThat(Values.test("x", NE, null)).isTrue();
        assertThat(Values.test(null, NE, "x")).isTrue();
    }

    @Test
    void orderingWithNullNeverHolds() {
        for (CompareOp op : List.of(LT, LE, GT, GE)) {
            assertThat(Values.test(null, op, 1L)).as("NULL %s 1", op).isFalse();
            assertThat(Values.test(1L, op, null)).as("1 %s NULL", op).isFalse();
            assertThat(Values.test(null, op, null)).as("NULL %s NULL", op).isFalse();
        }
    }

    @Test
    void booleansMatchPostgresTextForms() {
        assertThat(Values.test("t", EQ, true)).isTrue();
        assertThat(Values.test("f", EQ, false)).isTrue();
        assertThat(Values.test("t", EQ, false)).isFalse();
        assertThat(Values.test(true, EQ, "true")).isTrue();
        assertThat(Values.test(Boolean.FALSE, NE, true)).isTrue();
        assertThat(Values.test("T", EQ, true)).isTrue();
    }

    @Test
    void textThatLooksBooleanIsStillTextAgainstText() {
        assertThat(Values.test("t", EQ, "true")).isFalse();
        assertThat(Values.test("yes", EQ, true)).isFalse();
    }

    @Test
    void inAndNotInUseTheSameEquality() {
        List<Object> allowed = Arrays.asList("h", 10L, null);

        assertThat(Values.test("h", IN, allowed)).isTrue();
        assertThat(Values.test(new BigDecimal("10.0"), IN, allowed)).isTrue();
        assertThat(Values.test("10", IN, allowed)).isTrue();
        assertThat(Values.test(null, IN, allowed)).isTrue();
        assertThat(Values.test("n", IN, allowed)).isFalse();
        assertThat(Values.test("n", NOT_IN, allowed)).isTrue();
        assertThat(Values.test("h", NOT_IN, allowed)).isFalse();
        assertThat(Values.test(null, NOT_IN, List.of("h"))).isTrue();
        assertThat(Values.test("x", IN, List.of())).isFalse();
        assertThat(Values.test("x", NOT_IN, List.of())).isTrue();
    }

    @Test
    void showQuotesTextAndSpellsNull() {
        assertThat(Values.show(null)).isEqualTo("NULL");
        assertThat(Values.show("h")).isEqualTo("'h'");
        assertThat(Values.show(10L)).isEqualTo("10");
        assertThat(Values.show(true)).isEqualTo("true");
    }

    @Test
    void numberReadsNumbersAndNumericTextOnly() {
        assertThat(Values.number(5L)).isEqualByComparingTo("5");
        assertThat(Values.number(0.1d)).isEqualByComparingTo("0.1");
        assertThat(Values.number(" 2.50 ")).isEqualByComparingTo("2.5");
        assertThat(Values.number("abc")).isNull();
        assertThat(Values.number("  ")).isNull();
        assertThat(Values.number(true)).isNull();
        assertThat(Values.number(null)).isNull();
    }
}
