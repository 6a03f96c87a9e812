package io.pgrunbook.runbook;

import io.pgrunbook.runbook.sql.NamedSql;

/**
 * A step's {@code when}: every given part must hold on the target for the step to run; otherwise
 * the step is skipped with the reason.
 *
 * @param extension        an extension that must be installed (pg_extension), or null
 * @param minServerVersion a minimum server major version, or null
 * @param sql              a query whose first column of the first row must be true, or null
 */
public record Condition(String extension, Integer minServerVersion, NamedSql sql) {
    public boolean isEmpty() {
        return extension == null && minServerVersion == null && sql == null;
    }
}
