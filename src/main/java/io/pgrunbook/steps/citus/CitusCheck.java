package io.pgrunbook.steps.citus;

import io.pgrunbook.db.SqlStates;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.engine.StepType;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.util.PSQLException;

/**
 * What every {@code citus.*} step type shares: it runs on the coordinator in one READ ONLY transaction
 * (the router test excepted), first makes sure Citus is there, then resolves the tables it was given
 * (none: every distributed table) and reports unknown or undistributed ones before its own check.
 */
abstract class CitusCheck implements StepType {
    static final String TABLES = "tables";

    static final ParamSpec TABLES_PARAM = ParamSpec.optional(TABLES, ValueKind.STRING_LIST,
            "tables to check, as the coordinator names them (schema-qualified if not on the search_path); "
                    + "absent or empty: every distributed table");

    @Override
    public boolean writes() {
        return false;
    }

    @Override
    public SqlUse sqlUse() {
        return SqlUse.NONE;
    }

    @Override
    public boolean acceptsExpect() {
        return false;
    }

    @Override
    public List<String> describe(io.pgrunbook.runbook.Step step) {
        List<String> lines = new ArrayList<>();
        lines.add("-- read-only, on the Citus coordinator: " + summary());
        step.with().forEach((k, v) -> lines.add(k + ": " + StepType.show(v)));
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        try {
            return context.inTransaction(true, c -> {
                StepOutcome missing = CitusPresence.check(c, context.targetName());
                return missing != null ? missing : check(context, c);
            });
        } catch (SQLException e) {
            StepOutcome remote = remoteFailure(e);
            if (remote != null) {
                return remote;
            }
            throw e;
        }
    }

    /**
     * A connection error that the coordinator reported about one of its nodes ("connection to the remote node
     * ... failed", SQLSTATE 08xxx sent by the server over a connection that still works): an ERROR naming that
     * node, so the engine does not take the coordinator itself for lost and fail every later step with it.
     */
    static StepOutcome remoteFailure(SQLException e) {
        if (SqlStates.state(e).startsWith("08") && e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            return StepOutcome.verdict(Status.ERROR, "a node behind the coordinator failed: " + SqlStates.describe(e)
                    + " (the coordinator answered; check that node, or run citus.node_probe first)", Evidence.none());
        }
        return null;
    }

    /** The node probe's reason when any of {@code nodes} ("host:port") did not answer, else null. */
    static String unreachableAmong(NodeProbe.Result probe, java.util.Collection<String> nodes) {
        List<String> down = nodes.stream().filter(probe.unreachable()::containsKey).distinct().toList();
        if (down.isEmpty()) {
            return null;
        }
        return String.join(", ", down) + (down.size() == 1 ? ", which" : ", which nodes") + " did not answer the node probe within "
                + io.pgrunbook.runbook.load.Durations.show(probe.timeout());
    }

    /** The check itself, Citus known to be installed, in the step's read-only transaction. */
    abstract StepOutcome check(StepContext context, Connection c) throws SQLException;

    /** The tables named under {@code with: tables}, blank entries left out (so {@code --set tables=} means all). */
    static List<String> namedTables(StepContext context) {
        Object value = context.step().with().get(TABLES);
        List<String> names = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object o : list) {
                if (o != null && !o.toString().isBlank()) {
                    names.add(o.toString().strip());
                }
            }
        } else if (value != null && !value.toString().isBlank()) {
            for (String part : value.toString().split(",")) {
                if (!part.isBlank()) {
                    names.add(part.strip());
                }
            }
        }
        return names;
    }

    /**
     * The tables to check: the named ones that exist and are Citus tables, or every distributed table;
     * the named ones that are not go to {@code problems} (missing, or a plain PostgreSQL table).
     */
    static List<String> resolveTables(StepContext context, Connection c, Findings problems) throws SQLException {
        List<String> named = namedTables(context);
        List<String> tables = new ArrayList<>();
        if (named.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(CitusSql.ALL_DISTRIBUTED_TABLES); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            if (tables.isEmpty()) {
                problems.add(null, null, null, "the database has no distributed tables (create_distributed_table was never run here)");
            }
            return tables;
        }
        try (PreparedStatement ps = c.prepareStatement(CitusSql.RESOLVE_TABLES)) {
            ps.setArray(1, c.createArrayOf("text", named.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString("name");
                    if (!rs.getBoolean("exists")) {
                        problems.add(name, null, null, "no such table on the coordinator (check the name and the search_path)");
                    } else if (!rs.getBoolean("citus_table")) {
                        problems.add(name, null, null, "not distributed: a plain PostgreSQL table on the coordinator "
                                + "(distribute it with create_distributed_table)");
                    } else {
                        tables.add(rs.getString("qualified"));
                    }
                }
            }
        }
        return tables;
    }

    static java.sql.Array textArray(Connection c, List<String> values) throws SQLException {
        return c.createArrayOf("text", values.toArray());
    }

    static StepOutcome outcome(Status status, String message, Evidence evidence) {
        return StepOutcome.verdict(status, message, evidence);
    }
}
