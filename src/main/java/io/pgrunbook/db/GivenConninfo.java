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
 */
record GivenConninfo(Map<String, String> keywords, Map<String, String> jdbcParams) {
    GivenConninfo {
        keywords = Collections.unmodifiableMap(new LinkedHashMap<>(keywords));
        jdbcParams = Collections.unmodifiableMap(new LinkedHashMap<>(jdbcParams));
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
