package io.pgrunbook.runbook;

/**
 * A named connection as the runbook declares it. {@code connection} is the resolved connection
 * string (URI, libpq key=value or JDBC URL); an empty string means "from the PG* environment".
 */
public record TargetSpec(String name, String connection, int poolMin, int poolMax, SourceLocation location) {
    public static final int DEFAULT_POOL_MIN = 1;
    public static final int DEFAULT_POOL_MAX = 4;

    public TargetSpec withConnection(String newConnection) {
        return new TargetSpec(name, newConnection, poolMin, poolMax, location);
    }
}
