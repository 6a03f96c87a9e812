package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** share of block reads in this database served from shared buffers */
public final class CacheHitRatioCheck extends Check {
    static final String SQL = """
            SELECT datname, blks_hit, blks_read,
                   CASE WHEN blks_hit + blks_read >= :min_blocks
                        THEN round(100.0 * blks_hit / (blks_hit + blks_read), 2) END AS hit_pct,
                   stats_reset::text AS stats_reset
            FROM pg_stat_database
            WHERE datname = current_database()""";

    @Override
    protected String check() {
        return "cache_hit_ratio";
    }

    @Override
    public String summary() {
        return "share of block reads in this database served from shared buffers";
    }

    @Override
    public String recommendation() {
        return "Check the top queries by shared_blks_read in pg_stat_statements for missing indexes, then consider a larger shared_buffers (about 25% of RAM) and effective_cache_size";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("min_blocks", ValueKind.INTEGER, "judge only once the database has done this many block accesses since its statistics were reset (default 10000): a few cold reads mean nothing"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.below("hit_pct", ValueKind.NUMBER, "%", 95L, 90L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, binds("min_blocks", param(context.step(), "min_blocks", 10_000L)));
    }
}
