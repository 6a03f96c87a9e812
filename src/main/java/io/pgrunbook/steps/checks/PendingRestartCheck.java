package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** settings changed in the configuration that take effect only after a restart (pg_settings.pending_restart) */
public final class PendingRestartCheck extends RowCountCheck {
    static final String SQL = """
            SELECT name, setting, unit, source, sourcefile
            FROM pg_settings
            WHERE pending_restart
            ORDER BY name""";

    @Override
    protected String check() {
        return "pending_restart";
    }

    @Override
    public String summary() {
        return "settings changed in the configuration that wait for a restart (pg_settings.pending_restart)";
    }

    @Override
    public String recommendation() {
        return "The server still runs with the old values: restart it in a maintenance window to apply them, or revert the "
                + "change (postgresql.conf, ALTER SYSTEM RESET) so the file says what runs";
    }

    @Override
    protected String sql() {
        return SQL;
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        ResultTable t = super.measure(context);
        // The running value as a reader writes it (128 MB, not 16384 in 8kB pages).
        List<List<Object>> rows = new ArrayList<>();
        for (List<Object> r : t.rows()) {
            rows.add(java.util.Arrays.asList(r.get(0), SettingValues.display(String.valueOf(r.get(1)), (String) r.get(2)), r.get(3), r.get(4)));
        }
        return ResultTable.of(List.of("setting", "running_value", "source", "file"), rows);
    }
}
