package io.pgrunbook.runbook.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
            "500ms, 500",
            "30s, 30000",
            "10sec, 10000",
            "5min, 300000",
            "2mins, 120000",
            "1m, 60000",
            "1h, 3600000",
            "1d, 86400000",
            "1.5s, 1500",
            "0, 0",
            "0s, 0",
            "30S, 30000",
            "'5 min', 300000",
            "' 30s ', 30000",
    })
    void readsPostgresStyleDurations(String text, long millis) {
        assertThat(Durations.parse(text)).contains(Duration.ofMillis(millis));
    }

    /** The unit words of PostgreSQL's interval input, so '5 minutes' means the same here and in ::interval. */
    @ParameterizedTest
    @CsvSource({
            "'500 milliseconds', 500",
            "'1 millisecond', 1",
            "'20 msec', 20",
            "'1 second', 1000",
            "'0 seconds', 0",
            "'1.5 seconds', 1500",
            "'2 secs', 2000",
            "'1 minute', 60000",
            "'5 minutes', 300000",
            "5minutes, 300000",
            "'1 hour', 3600000",
            "'2 hours', 7200000",
            "'1 day', 86400000",
            "'3 days', 259200000",
            "'5 Minutes', 300000",
    })
    void readsPostgresIntervalUnitWords(String text, long millis) {
        assertThat(Durations.parse(text)).contains(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "30", "-1s", "1w", "s", "1.s", "1h30min", "1 hour 30 minutes", "5 minutess",
            "5 minutes ago", "1 week", "2 months", "1 year", "minutes", "5 mi nutes", "5 hrs", "-5 minutes", "@ 5 minutes"})
    void refusesAnythingElse(String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"9999999999999999d", "106751991167301d", "99999999999999999999ms"})
    void refusesDurationsTooLongToHoldInsteadOfWrappingAround(String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }

    @Test
    void writesTheSettingInMilliseconds() {
        assertThat(Durations.toSetting(Duration.ofSeconds(30))).isEqualTo("30000ms");
        assertThat(Durations.toSetting(Duration.ZERO)).isEqualTo("0ms");
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "500, 500ms", "1500, 1500ms", "30000, 30s", "300000, 5min", "7200000, 2h", "5400000, 90min"})
    void showsTheShortestExactForm(long millis, String shown) {
        assertThat(Durations.show(Duration.ofMillis(millis))).isEqualTo(shown);
    }

    @ParameterizedTest
    @ValueSource(strings = {"500ms", "30s", "5min", "1h"})
    void showReadsBack(String text) {
        assertThat(Durations.show(Durations.parse(text).orElseThrow())).isEqualTo(text);
    }

    /** Issue 14 item 4: PostgreSQL reads 0 as "no limit", so a positive duration must never round to 0. */
    @ParameterizedTest
    @CsvSource({"0.4ms, 1", "0.9ms, 1", "0.0001s, 1", "1.0001ms, 2", "'0.5 milliseconds', 1", "0.0000001min, 1"})
    void subMillisecondDurationsRoundUpAndStayPositive(String text, long millis) {
        assertThat(Durations.parse(text)).contains(Duration.ofMillis(millis));
        assertThat(Durations.toSetting(Durations.parse(text).orElseThrow())).isNotEqualTo("0ms");
    }

    @org.junit.jupiter.api.Test
    void onlyAZeroDurationBecomesTheZeroSetting() {
        assertThat(Durations.toSetting(Duration.ZERO)).isEqualTo("0ms");
        assertThat(Durations.toSetting(Duration.ofNanos(1))).isEqualTo("1ms");
        assertThat(Durations.toSetting(Duration.ofNanos(1_500_000))).isEqualTo("2ms");
        assertThat(Durations.show(Duration.ofNanos(400_000))).isEqualTo("1ms");
        assertThat(Durations.parse("0")).contains(Duration.ZERO);
    }
}
