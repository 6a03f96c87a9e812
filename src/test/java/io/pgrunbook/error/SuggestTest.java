package io.pgrunbook.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestTest {
    private static final List<String> KEYS = List.of("host", "port", "dbname", "user", "sslmode");

    @Test
    void aSwappedPairCountsAsOneEdit() {
        assertThat(Suggest.distance("dbnmae", "dbname")).isEqualTo(1);
        assertThat(Suggest.nearest("dbnmae", KEYS)).contains("dbname");
        assertThat(Suggest.nearest("prot", KEYS)).contains("port");
    }

    @Test
    void suggestsForOneMissingExtraOrWrongLetter() {
        assertThat(Suggest.nearest("sqll", List.of("sql", "sql.exec"))).contains("sql");
        assertThat(Suggest.nearest("stpes", List.of("name", "steps", "targets"))).contains("steps");
        assertThat(Suggest.nearest("sslmdoe", KEYS)).contains("sslmode");
        assertThat(Suggest.nearest("hots", KEYS)).contains("host");
    }

    @Test
    void ignoresCaseButSuggestsTheCandidateAsSpelled() {
        assertThat(Suggest.nearest("DBNAME", KEYS)).contains("dbname");
        assertThat(Suggest.nearest("primray", List.of("Primary", "replica"))).contains("Primary");
    }

    @Test
    void suggestsNothingForSomethingFarAway() {
        assertThat(Suggest.nearest("zzzz", KEYS)).isEmpty();
        assertThat(Suggest.nearest("timeout", KEYS)).isEmpty();
        assertThat(Suggest.nearest("ab", List.of("xy"))).isEmpty();
    }

    @Test
    void shortWordsAllowOnlyOneEdit() {
        assertThat(Suggest.nearest("us", List.of("user"))).isEmpty();
        assertThat(Suggest.nearest("usr", List.of("user"))).contains("user");
    }

    @Test
    void suggestsNothingFromNoCandidates() {
        assertThat(Suggest.nearest("x", List.of())).isEmpty();
    }

    @Test
    void hintNamesTheNearMissOrListsWhatIsAllowed() {
        assertThat(Suggest.hint("prot", KEYS)).isEqualTo("; did you mean 'port'?");
        assertThat(Suggest.hint("zzzz", List.of("a", "b"))).isEqualTo("; expected one of: a, b");
    }
}
