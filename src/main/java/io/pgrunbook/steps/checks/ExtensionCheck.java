package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** an extension is installed in this database (e.g. pg_stat_statements), optionally at a minimum version */
public final class ExtensionCheck extends Check {
    static final String SQL = """
            SELECT want.name AS extension, e.extversion AS installed_version,
                   a.default_version AS available_version,
                   e.extname IS NOT NULL AS ok
            FROM unnest(CAST(:names AS text[])) AS want(name)
            LEFT JOIN pg_extension e ON e.extname = want.name
            LEFT JOIN pg_available_extensions a ON a.name = want.name
            ORDER BY want.name""";

    @Override
    protected String check() {
        return "extension";
    }

    @Override
    public String summary() {
        return "an extension is installed in this database (e.g. pg_stat_statements), optionally at a minimum version";
    }

    @Override
    public String recommendation() {
        return "Install it: add it to shared_preload_libraries when it needs preloading (pg_stat_statements does; restart), then CREATE EXTENSION in this database";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.required("names", ValueKind.STRING_LIST, "the extensions that must be installed"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.count(1L, null);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, binds("names", param(context.step(), "names", List.of())));
    }

}
