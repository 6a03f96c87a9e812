package io.pgrunbook.steps.sql;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.engine.StepType;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.PreparedStatement;
import java.util.List;

/**
 * {@code type: sql.exec}: a statement that changes the database, in its own transaction unless
 * {@code with: { transaction: false }} (VACUUM, CREATE INDEX CONCURRENTLY refuse one). It is shown
 * as WRITES in plans and needs confirmation (or --yes) before it runs.
 */
public final class SqlExecStep implements StepType {
    static final String TRANSACTION = "transaction";

    @Override
    public String name() {
        return "sql.exec";
    }

    @Override
    public String summary() {
        return "run a statement that writes, in its own transaction (or none with transaction: false)";
    }

    @Override
    public boolean writes() {
        return true;
    }

    @Override
    public SqlUse sqlUse() {
        return SqlUse.REQUIRED;
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ParamSpec.optional(TRANSACTION, ValueKind.BOOLEAN,
                "run in a transaction (default true); false for VACUUM, CREATE INDEX CONCURRENTLY and the like"));
    }

    @Override
    public List<String> describe(io.pgrunbook.runbook.Step step) {
        List<String> lines = new java.util.ArrayList<>(step.sql().text().strip().lines().toList());
        if (Boolean.FALSE.equals(step.with().get(TRANSACTION))) {
            lines.add(0, "-- outside a transaction (autocommit)");
        }
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        boolean transactional = !Boolean.FALSE.equals(context.step().with().get(TRANSACTION));
        if (transactional) {
            return StepOutcome.rows(context.inTransaction(false, c -> {
                try (PreparedStatement ps = context.prepare(c, context.step().sql())) {
                    return StepContext.run(ps);
                }
            }));
        }
        return StepOutcome.rows(context.withoutTransaction(c -> {
            try (PreparedStatement ps = context.prepare(c, context.step().sql())) {
                return StepContext.run(ps);
            }
        }));
    }
}
