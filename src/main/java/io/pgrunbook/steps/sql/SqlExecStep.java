package io.pgrunbook.steps.sql;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.engine.StepType;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.SqlWork;
import io.pgrunbook.runbook.sql.NamedSql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code type: sql.exec}: a statement that changes the database, in its own transaction unless
 * {@code with: { transaction: false }} (VACUUM, CREATE INDEX CONCURRENTLY refuse one). It is shown
 * as WRITES in plans and needs confirmation (or --yes) before it runs. Several statements separated
 * by semicolons share that one transaction; {@code with: { each_statement: true }} reports how many
 * rows each of them changed (one row per statement) instead of only the last one's, so a delete in
 * dependency order (children, then parents) shows what it removed table by table.
 */
public final class SqlExecStep implements StepType {
    static final String TRANSACTION = "transaction";
    static final String EACH_STATEMENT = "each_statement";
    /** How much of a statement its row in the {@code each_statement} result shows. */
    private static final int LABEL_LENGTH = 120;

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
                "run in a transaction (default true); false for VACUUM, CREATE INDEX CONCURRENTLY and the like"),
                ParamSpec.optional(EACH_STATEMENT, ValueKind.BOOLEAN,
                        "one result row per statement (statement, sql, rows_affected) instead of the last statement's result"));
    }

    @Override
    public List<String> describe(io.pgrunbook.runbook.Step step) {
        List<String> lines = new java.util.ArrayList<>(step.sql().text().strip().lines().toList());
        if (Boolean.FALSE.equals(step.with().get(TRANSACTION))) {
            lines.add(0, "-- outside a transaction (autocommit)");
        } else if (step.sql().statements().size() > 1) {
            lines.add(0, "-- " + step.sql().statements().size() + " statements in one transaction: all or none");
        }
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        boolean transactional = !Boolean.FALSE.equals(context.step().with().get(TRANSACTION));
        boolean each = Boolean.TRUE.equals(context.step().with().get(EACH_STATEMENT));
        NamedSql sql = context.step().sql();
        SqlWork<ResultTable> work = c -> {
            try (PreparedStatement ps = context.prepare(c, sql)) {
                return each ? eachStatement(ps, sql.statements()) : StepContext.run(ps);
            }
        };
        ResultTable result = transactional ? context.inTransaction(false, work) : context.withoutTransaction(work);
        if (each && context.step().expect() == null) {
            // Nothing to judge: say what each statement did, so a text report shows it too, not only "3 rows".
            StringBuilder message = new StringBuilder("rows affected per statement" + (transactional ? " (one transaction, committed):" : ":"));
            for (List<Object> row : result.rows()) {
                message.append("\n  ").append(row.get(2)).append("  ").append(row.get(1));
            }
            return StepOutcome.verdict(io.pgrunbook.report.Status.PASS, message.toString(), new io.pgrunbook.report.Evidence(null,
                    result.rows().size() + " statements", result.columns(), result.rows(), result.rows().size()));
        }
        return StepOutcome.rows(result);
    }

    /** Runs the statements and counts, for each in order, the rows it changed (or returned). */
    private static ResultTable eachStatement(PreparedStatement ps, List<String> statements) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        boolean hasRows = ps.execute();
        while (true) {
            long count;
            if (hasRows) {
                count = 0;
                try (ResultSet rs = ps.getResultSet()) {
                    while (rs.next()) {
                        count++;
                    }
                }
            } else {
                count = ps.getUpdateCount();
                if (count == -1) {
                    break;
                }
            }
            int n = rows.size();
            rows.add(List.of((long) n + 1, n < statements.size() ? label(statements.get(n)) : "", count));
            hasRows = ps.getMoreResults();
        }
        return ResultTable.of(List.of("statement", "sql", "rows_affected"), rows);
    }

    private static String label(String statement) {
        String oneLine = statement.replaceAll("\\s+", " ");
        return oneLine.length() <= LABEL_LENGTH ? oneLine : oneLine.substring(0, LABEL_LENGTH - 3) + "...";
    }
}
