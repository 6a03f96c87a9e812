package io.pgrunbook.steps.ttl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The expiry expressions users write, read as "column + interval" so the column's own index serves the sweep. */
class ExpiryExpressionTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "created_at + interval '30 days'                     | created_at | interval '30 days'",
        "(created_at + INTERVAL '30 days')                   | created_at | INTERVAL '30 days'",
        "created_at + '30 days'::interval                    | created_at | '30 days'::interval",
        "created_at + make_interval(days => 30)              | created_at | make_interval(days => 30)",
        "make_interval(0, 1) + created_at                    | created_at | make_interval(0, 1)",
        "created_at::timestamptz + interval '1 hour'         | created_at | interval '1 hour'",
        "CAST(created_at AS timestamp with time zone) + interval '2' day | created_at | interval '2' day",
        "Created_At + 2 * interval '1 week'                  | created_at | 2 * interval '1 week'",
        "\"Created At\" + cast('7 days' as interval)         | Created At | cast('7 days' as interval)",
    })
    void readsTheColumnAndTheInterval(String expression, String column, String offset) {
        assertThat(ExpiryExpression.rewrite(expression)).hasValueSatisfying(r -> {
            assertThat(r.column()).isEqualTo(column);
            assertThat(r.offset()).isEqualTo(offset);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "created_at",                                       // no interval: give expiry_column
        "created_at::date + interval '30 days'",            // a cast that truncates changes the order
        "created_at + ttl_seconds * interval '1 second'",   // the interval depends on the row
        "created_at - interval '30 days' + interval '1 day'",
        "created_at + random() * interval '1 day'",         // volatile
        "coalesce(updated_at, created_at) + interval '30 days'",
        "created_at + interval '30 days' + interval '1 day'",
    })
    void leavesAnythingElseAsTheExpressionItIs(String expression) {
        assertThat(ExpiryExpression.rewrite(expression)).isEmpty();
    }
}
