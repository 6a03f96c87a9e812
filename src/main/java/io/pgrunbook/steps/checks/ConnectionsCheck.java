package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** Client connections by state against the slots left after the reserved ones. */
public final class ConnectionsCheck extends Check {
    /** PostgreSQL 16 added reserved_connections (for pg_use_reserved_connections) beside the superuser ones. */
    static final String RESERVED_16 = "current_setting('superuser_reserved_connections')::int + current_setting('reserved_connections')::int";
    static final String RESERVED_13 = "current_setting('superuser_reserved_connections')::int";
    private static final String SQL = """
            WITH settings AS (
                SELECT current_setting('max_connections')::int AS max_connections, %s AS reserved
            ), sessions AS (
                SELECT count(*) AS total,
                       count(*) FILTER (WHERE state = 'active') AS active,
                       count(*) FILTER (WHERE state = 'idle') AS idle,
                       count(*) FILTER (WHERE state IN ('idle in transaction', 'idle in transaction (aborted)')) AS idle_in_transaction,
                       count(*) FILTER (WHERE state IS NULL OR state NOT IN ('active', 'idle', 'idle in transaction',
                                                                              'idle in transaction (aborted)')) AS other
                FROM pg_stat_activity
                WHERE backend_type = 'client backend'
            )
            SELECT s.total AS connections, s.active, s.idle, s.idle_in_transaction, s.other,
                   c.max_connections, c.reserved,
                   round(100.0 * s.total / greatest(c.max_connections - c.reserved, 1), 1) AS used_pct
            FROM sessions s CROSS JOIN settings c""";

    static String sqlFor(int major) {
        return SQL.formatted(major >= 16 ? RESERVED_16 : RESERVED_13);
    }

    @Override
    protected String check() {
        return "connections";
    }

    @Override
    public String summary() {
        return "client connections by state, as a share of max_connections minus the reserved slots";
    }

    @Override
    public String recommendation() {
        return "Put a pooler (PgBouncer, transaction mode) in front, lower the application pools' maximum size and close idle "
                + "sessions; raise max_connections only with the memory to back it";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of();
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("used_pct", ValueKind.NUMBER, "%", 80L, 95L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, sqlFor(context.server().major()), Map.of());
    }
}
