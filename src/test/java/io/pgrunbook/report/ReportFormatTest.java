package io.pgrunbook.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;
import org.junit.jupiter.api.Test;

class ReportFormatTest {

    @Test
    void parsesEveryFormatIgnoringCase() {
        assertThat(ReportFormat.parse("text")).isEqualTo(ReportFormat.TEXT);
        assertThat(ReportFormat.parse("JSON")).isEqualTo(ReportFormat.JSON);
        assertThat(ReportFormat.parse("JUnit")).isEqualTo(ReportFormat.JUNIT);
        assertThat(ReportFormat.parse("prometheus")).isEqualTo(ReportFormat.PROMETHEUS);
        assertThat(ReportFormat.parse("prom")).isEqualTo(ReportFormat.PROMETHEUS);
    }

    @Test
    void unknownFormatIsAnInvalidUsageNamingTheChoices() {
        assertThatThrownBy(() -> ReportFormat.parse("html"))
                .isInstanceOf(PgRunbookException.class)
                .hasMessage("unknown report format 'html': use one of text, json, junit, prometheus, nagios")
                .extracting(e -> ((PgRunbookException) e).exitCode()).isEqualTo(ExitCode.INVALID);
    }
}
