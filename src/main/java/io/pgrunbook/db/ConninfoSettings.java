package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** The libpq settings that become pgjdbc properties: name, environment variable, pgjdbc name and translation. */
final class ConninfoSettings {
    /**
     * @param toPgjdbc validates a libpq value and turns it into pgjdbc's; its second argument names
     *                 where the value came from, for the error message
     */
    record Setting(String libpqName, String envVar, String pgjdbcName, BiFunction<String, String, String> toPgjdbc) {
    }

    /**
     * libpq's read-write and primary differ (pgjdbc tells primaries by transaction_read_only only), and
     * pgjdbc's secondary covers both read-only and standby: the closest pgjdbc behaviour for each.
     */
    private static final Map<String, String> TARGET_SERVER_TYPES = Map.of(
            "any", "any",
            "read-write", "primary",
            "primary", "primary",
            "read-only", "secondary",
            "standby", "secondary",
            "prefer-standby", "preferSecondary");

    static final List<Setting> ALL = List.of(
            new Setting("sslmode", "PGSSLMODE", "sslmode", ConninfoSettings::sslmode),
            new Setting("sslrootcert", "PGSSLROOTCERT", "sslrootcert", (v, from) -> v),
            new Setting("sslcert", "PGSSLCERT", "sslcert", (v, from) -> v),
            new Setting("sslkey", "PGSSLKEY", "sslkey", (v, from) -> v),
            new Setting("connect_timeout", "PGCONNECT_TIMEOUT", "connectTimeout", ConninfoSettings::connectTimeout),
            new Setting("options", "PGOPTIONS", "options", (v, from) -> v),
            new Setting("target_session_attrs", "PGTARGETSESSIONATTRS", "targetServerType",
                    ConninfoSettings::targetServerType));

    private ConninfoSettings() {
    }

    private static String sslmode(String value, String from) {
        if (!LibpqKeywords.SSL_MODES.contains(value)) {
            throw PgRunbookException.invalid("invalid sslmode '" + value + "' " + from
                    + "; use one of disable, allow, prefer, require, verify-ca, verify-full");
        }
        return value;
    }

    private static String connectTimeout(String value, String from) {
        try {
            if (Integer.parseInt(value.trim()) >= 0) {
                return value.trim();
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw PgRunbookException.invalid("invalid connect_timeout '" + value + "' " + from
                + "; give whole seconds, 0 for no limit");
    }

    private static String targetServerType(String value, String from) {
        String mapped = TARGET_SERVER_TYPES.get(value);
        if (mapped == null) {
            throw PgRunbookException.invalid("invalid target_session_attrs '" + value + "' " + from
                    + "; use one of any, read-write, read-only, primary, standby, prefer-standby");
        }
        return mapped;
    }
}
