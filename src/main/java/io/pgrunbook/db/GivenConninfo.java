package io.pgrunbook.db;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a connection string said, before the environment and defaults fill the gaps.
 *
 * @param keywords   libpq keywords (host, port, dbname, ...), values decoded; host and port may be
 *                   comma-separated lists as in libpq
 * @param jdbcParams pgjdbc properties from a jdbc:postgresql URL's query, passed through untouched
 * @param jdbcForm   a jdbc:postgresql URL, whose default host is pgjdbc's (localhost), not libpq's socket
 */
record GivenConninfo(Map<String, String> keywords, Map<String, String> jdbcParams, boolean jdbcForm) {
    GivenConninfo {
        keywords = Collections.unmodifiableMap(new LinkedHashMap<>(keywords));
        jdbcParams = Collections.unmodifiableMap(new LinkedHashMap<>(jdbcParams));
    }

    GivenConninfo(Map<String, String> keywords, Map<String, String> jdbcParams) {
        this(keywords, jdbcParams, false);
    }

    static GivenConninfo empty() {
        return new GivenConninfo(Map.of(), Map.of());
    }

    /** The value the string gave, or null; empty values count as not given, as libpq treats them. */
    String keyword(String name) {
        String value = keywords.get(name);
        return value == null || value.isEmpty() ? null : value;
    }
}
