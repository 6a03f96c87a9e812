package io.pgrunbook.steps.citus;

import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** Whether the target is a Citus coordinator; a clear ERROR saying how to get there when it is not. */
final class CitusPresence {
    private CitusPresence() {}

    /** Null when the citus extension is created in this database, else the ERROR outcome that says why not. */
    static StepOutcome check(Connection c, String target) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CitusSql.CITUS_PRESENCE); ResultSet rs = ps.executeQuery()) {
            rs.next();
            String installed = rs.getString("installed");
            String available = rs.getString("available");
            String database = rs.getString("database");
            if (installed != null) {
                return null;
            }
            String why = available == null
                    ? "Citus is not installed on target '" + target + "': the server has no citus extension "
                            + "(pg_available_extensions). Install the Citus packages for this PostgreSQL, add citus "
                            + "to shared_preload_libraries, restart, then CREATE EXTENSION citus."
                    : "Citus is not installed on target '" + target + "': the citus extension (" + available
                            + ") is available but not created in database '" + database
                            + "'. Run CREATE EXTENSION citus there, or point the target at the Citus coordinator's database.";
            return StepOutcome.verdict(Status.ERROR, why, new Evidence("the citus extension in database " + database,
                    available == null ? "not available on the server" : "available (" + available + "), not created",
                    List.of(), List.of(), 0));
        }
    }
}
