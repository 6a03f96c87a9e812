package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * A check whose measure is the number of rows one read-only query returns (each row an offending
 * object), with no parameters of its own: WARN from the first row unless the runbook sets critical.
 */
abstract class RowCountCheck extends Check {
    /** The query listing the offending objects, one a row. */
    protected abstract String sql();

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of();
    }

    @Override
    public Threshold threshold() {
        return Threshold.count(1L, null);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, sql(), Map.of());
    }
}
