package io.pgrunbook.steps.sql;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.engine.StepType;
import io.pgrunbook.runbook.ParamSpec;
import java.util.List;

/** {@code type: sql} (the default): a query run in a READ ONLY transaction and judged by {@code expect}. */
public final class SqlCheckStep implements StepType {

    @Override
    public String name() {
        return "sql";
    }

    @Override
    public String summary() {
        return "run a query in a read-only transaction and check its result against expect";
    }

    @Override
    public boolean writes() {
        return false;
    }

    @Override
    public SqlUse sqlUse() {
        return SqlUse.REQUIRED;
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of();
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        return StepOutcome.rows(context.query(context.step().sql()));
    }
}
