package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** the server's major version against the oldest one you accept */
public final class ServerVersionCheck extends Check {
    static final String SQL = "SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int / 10000 AS major";

    @Override
    protected String check() {
        return "server_version";
    }

    @Override
    public String summary() {
        return "the server's major version against the oldest one you accept";
    }

    @Override
    public String recommendation() {
        return "Plan a major upgrade (pg_upgrade --link, or logical replication to a new server): versions below the minimum are out of support or lack what the runbooks rely on";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of();
    }

    @Override
    public Threshold threshold() {
        return Threshold.below("major", ValueKind.INTEGER, "", 15L, 13L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, java.util.Map.of());
    }

}
