package io.pgrunbook.steps.pgbouncer;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.steps.checks.Threshold;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code check.pgbouncer_config}: configuration hazards read from SHOW CONFIG, DATABASES and POOLS,
 * one row per hazard with {@code ok}: statement pooling, transaction pooling that breaks clients'
 * prepared statements where the pooler could keep them (1.21+), clients that wait for ever, trust
 * authentication on a non-loopback address, and (with {@code server}) more server connections than
 * the server accepts.
 */
public final class ConfigCheck extends PgBouncerCheck {
    static final ParamSpec SERVER = ParamSpec.optional("server", ValueKind.STRING,
            "a target that connects to the PostgreSQL server directly, to compare the pools' sizes with its max_connections");
    private static final String AVAILABLE = "SELECT current_setting('max_connections')::int"
            + " - current_setting('superuser_reserved_connections')::int AS available";
    private static final Set<String> LOOPBACK = Set.of("", "127.0.0.1", "localhost", "::1");

    @Override
    protected String check() {
        return "pgbouncer_config";
    }

    @Override
    public String summary() {
        return "PgBouncer configuration hazards: statement pooling, prepared statements under transaction pooling, no"
                + " query_wait_timeout, trust authentication off loopback, pool sizes beyond the server's max_connections";
    }

    @Override
    public String recommendation() {
        return "Fix each row whose ok is false as its advice says, in pgbouncer.ini, then RELOAD on the admin console";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(SERVER);
    }

    @Override
    public Threshold threshold() {
        return Threshold.count(1L, null);
    }

    @Override
    public Collection<String> otherTargets(Step step) {
        Object server = step.with().get(SERVER.name());
        return server == null ? List.of() : List.of(server.toString());
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        super.validate(step, targetNames, problems);
        Object server = step.with().get(SERVER.name());
        if (server != null && !targetNames.contains(server.toString())) {
            problems.add(step.location(), "step '" + step.id() + "': with.server '" + server + "' is not a target of this runbook"
                    + " (targets: " + String.join(", ", targetNames) + ")");
        }
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        Map<String, String> config = config(context);
        List<Map<String, String>> databases = show(context, "DATABASES").stream()
                .filter(d -> !CONSOLE_DATABASE.equals(d.get("name"))).toList();
        List<Map<String, String>> pools = pools(context);
        String version = show(context, "VERSION").stream().findFirst().map(r -> r.values().iterator().next()).orElse("");
        List<List<Object>> rows = new ArrayList<>();

        String defaultMode = config.getOrDefault("pool_mode", "session");
        boolean anyStatement = defaultMode.equals("statement") || databases.stream().anyMatch(d -> "statement".equals(d.get("pool_mode")));
        rows.add(row("statement pooling", "pool_mode", defaultMode, !anyStatement,
                "statement pooling refuses multi-statement transactions: use pool_mode = transaction"));

        boolean anyTransaction = defaultMode.equals("transaction") || databases.stream().anyMatch(d -> "transaction".equals(d.get("pool_mode")));
        String prepared = config.get("max_prepared_statements");
        boolean tracksPrepared = prepared != null;
        rows.add(row("prepared statements under transaction pooling", "max_prepared_statements",
                tracksPrepared ? prepared : "(not in " + version + ")",
                !anyTransaction || !tracksPrepared || number(prepared) > 0,
                tracksPrepared ? "clients that prepare statements (pgjdbc after prepareThreshold uses, psycopg 3, asyncpg) collide"
                        + " on shared server connections: set max_prepared_statements = 200"
                        : "this PgBouncer cannot keep prepared statements apart: clients must not prepare them on the server"
                        + " (pgjdbc prepareThreshold=0, as pgrunbook does itself behind it)"));

        String queryWait = config.getOrDefault("query_wait_timeout", "");
        rows.add(row("clients may wait for ever", "query_wait_timeout", queryWait, number(queryWait) > 0,
                "with 0 a client waits for a server connection without limit: set query_wait_timeout (default 120)"));

        String auth = config.getOrDefault("auth_type", "");
        String listen = config.getOrDefault("listen_addr", "");
        boolean open = List.of(listen.split(",")).stream().map(String::strip).anyMatch(a -> !LOOPBACK.contains(a));
        rows.add(row("no authentication on a network address", "auth_type / listen_addr", auth + " / " + listen,
                !(open && (auth.equals("trust") || auth.equals("any"))),
                "anyone who reaches listen_addr connects as any user: use auth_type = scram-sha-256 (or hba)"));

        Object server = context.step().with().get(SERVER.name());
        if (server != null) {
            long possible = 0;
            for (Map<String, String> d : databases) {
                long users = Math.max(1, pools.stream().filter(p -> d.get("name").equals(p.get("database"))).count());
                long perPool = poolSize(databases, config, d.get("name")) + number(d, "reserve_pool");
                long capped = users * perPool;
                long maxDb = number(d, "max_connections");
                possible += maxDb > 0 ? Math.min(capped, maxDb) : capped;
            }
            StepContext direct = context.onTarget(server.toString());
            long available = ((Number) query(direct, AVAILABLE, Map.of()).rows().get(0).get(0)).longValue();
            rows.add(row("pools larger than the server", "pool_size + reserve_pool per pool vs max_connections",
                    possible + " possible / " + available + " available", possible <= available,
                    "PgBouncer may open more server connections than '" + server + "' accepts (the rest fail with 53300):"
                    + " lower pool sizes or set max_db_connections"));
        }
        return ResultTable.of(List.of("hazard", "setting", "value", "ok", "advice"), rows);
    }

    private static List<Object> row(String hazard, String setting, String value, boolean ok, String advice) {
        return List.of(hazard, setting, value == null ? "" : value, ok, ok ? "" : advice);
    }
}
