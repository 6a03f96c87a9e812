package io.pgrunbook.steps.pgbouncer;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.steps.checks.Check;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A check of PgBouncer read from its admin console (SHOW POOLS, STATS, CONFIG, DATABASES, LISTS).
 * The step's target is PgBouncer's address: its admin console ({@code .../pgbouncer}) or any
 * database through it (the console is reached at the same host and port, as the same user, who must
 * be in PgBouncer's admin_users or stats_users).
 */
abstract class PgBouncerCheck extends Check {
    /** The console's own pseudo-database, which has no server connections to judge. */
    static final String CONSOLE_DATABASE = "pgbouncer";

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of();
    }

    @Override
    protected Optional<String> notApplicable(StepContext context) {
        if (!context.pooler().present()) {
            return Optional.of("target '" + context.targetName() + "' is a direct connection to PostgreSQL, not PgBouncer:"
                    + " point the step at PgBouncer's address (postgresql://USER@HOST:6432/pgbouncer)");
        }
        return Optional.empty();
    }

    /** SHOW what, as rows of text. */
    static List<Map<String, String>> show(StepContext context, String what) throws SQLException {
        return context.pgbouncerShow(what);
    }

    /** The pools of real databases (the console's own pseudo-pool left out). */
    static List<Map<String, String>> pools(StepContext context) throws SQLException {
        return show(context, "POOLS").stream().filter(r -> !CONSOLE_DATABASE.equals(r.get("database"))).toList();
    }

    static Map<String, String> config(StepContext context) throws SQLException {
        Map<String, String> config = new java.util.LinkedHashMap<>();
        show(context, "CONFIG").forEach(r -> config.put(r.get("key"), r.getOrDefault("value", "")));
        return config;
    }

    /** A console number (empty counts as 0). */
    static long number(Map<String, String> row, String column) {
        return number(row.get(column));
    }

    static long number(String text) {
        if (text == null || text.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** How long the oldest client of a pool has waited, in seconds to the millisecond (maxwait + maxwait_us). */
    static double maxwaitSeconds(Map<String, String> pool) {
        return Math.round((number(pool, "maxwait") + number(pool, "maxwait_us") / 1_000_000.0) * 1000) / 1000.0;
    }

    /** The pool size of a database: its own pool_size in SHOW DATABASES, else default_pool_size. */
    static long poolSize(List<Map<String, String>> databases, Map<String, String> config, String database) {
        return databases.stream().filter(d -> database.equals(d.get("name")))
                .map(d -> d.get("pool_size")).filter(v -> v != null && !v.isBlank())
                .mapToLong(PgBouncerCheck::number).findFirst()
                .orElse(number(config.get("default_pool_size")));
    }
}
