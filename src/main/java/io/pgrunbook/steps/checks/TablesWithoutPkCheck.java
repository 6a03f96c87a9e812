package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** user tables without a primary key (or, with require: any_index, without any index) */
public final class TablesWithoutPkCheck extends Check {
    static final String SQL = """
            SELECT n.nspname AS schema, c.relname AS table_name,
                   EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid) AS has_any_index,
                   greatest(c.reltuples, 0)::bigint AS estimated_rows
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p')
              AND NOT c.relispartition
              AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
              AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d
                              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
              AND CASE WHEN :any_index THEN NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid)
                       ELSE NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) END
              -- A partitioned table whose key cannot include its partition key often has none itself
              -- while every partition has one: its rows are identified, partition by partition.
              AND NOT (c.relkind = 'p' AND EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhparent = c.oid)
                       AND NOT EXISTS (SELECT 1 FROM pg_partition_tree(c.oid) pt JOIN pg_class l ON l.oid = pt.relid
                                        WHERE pt.isleaf AND l.relkind = 'r'
                                          AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = l.oid AND (i.indisprimary OR :any_index))))
            ORDER BY c.relpages DESC, n.nspname, c.relname""";

    @Override
    protected String check() {
        return "tables_without_pk";
    }

    @Override
    public String summary() {
        return "user tables without a primary key (or, with require: any_index, without any index)";
    }

    @Override
    public String recommendation() {
        return "Add a primary key (build its unique index with CREATE UNIQUE INDEX CONCURRENTLY on a busy table, then ALTER TABLE ... ADD PRIMARY KEY USING INDEX): without one duplicates cannot be prevented and logical replication cannot replicate UPDATE and DELETE";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("require", ValueKind.STRING, "primary_key (default): report tables without a primary key; any_index: only tables without any index"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.count(1L, null);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, binds("any_index", "any_index".equals(param(context.step(), "require", "primary_key"))));
    }
}
