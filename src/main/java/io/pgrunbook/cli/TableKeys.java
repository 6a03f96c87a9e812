package io.pgrunbook.cli;

import io.pgrunbook.error.PgRunbookException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code --table TABLE=KEY_COLUMN} options of the shard-set commands, as the steps' {@code tables:} map, in order. */
final class TableKeys {
    private TableKeys() {}

    static Map<String, Object> parse(List<String> tables) {
        Map<String, Object> tableKeys = new LinkedHashMap<>();
        for (String t : tables) {
            int eq = t.indexOf('=');
            if (eq <= 0 || eq == t.length() - 1) {
                throw PgRunbookException.invalid("--table " + t + ": give TABLE=KEY_COLUMN, e.g. --table orders=restaurant_id");
            }
            tableKeys.put(t.substring(0, eq), t.substring(eq + 1));
        }
        return tableKeys;
    }
}
