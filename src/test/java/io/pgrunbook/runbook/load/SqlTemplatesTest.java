package io.pgrunbook.runbook.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlTemplatesTest {

    @Test
    void identifiersAreAlwaysQuotedWithTheirCaseAndQuotesKept() {
        var e = SqlTemplates.expand("CREATE DATABASE ${ident:db}", Map.of("db", "Drill \"42\"; DROP"));
        assertThat(e.faults()).isEmpty();
        assertThat(e.sql()).isEqualTo("CREATE DATABASE \"Drill \"\"42\"\"; DROP\"");
    }

    @Test
    void literalsMeanTheSameWhateverStandardConformingStrings() {
        assertThat(SqlTemplates.expand("COMMENT ON TABLE t IS ${literal:c}", Map.of("c", "it's")).sql())
                .isEqualTo("COMMENT ON TABLE t IS 'it''s'");
        assertThat(SqlTemplates.expand("SELECT ${literal:c}", Map.of("c", "a\\'; x")).sql()).isEqualTo("SELECT E'a\\\\''; x'");
    }

    @Test
    void anythingElseIsAFaultNeverSpliced() {
        var e = SqlTemplates.expand("SELECT ${x}, ${ident:list}, ${literal:none}", Map.of("x", 1, "list", List.of("a")));
        assertThat(e.faults()).extracting(SqlTemplates.Fault::message).containsExactly(
                "'${x}' in SQL is never expanded: " + SqlTemplates.HOW,
                "${ident:list} needs a single value, but variable 'list' is a list",
                "undefined variable 'none' in ${literal:none}; declare it under vars: or pass --set none=...");
    }
}
