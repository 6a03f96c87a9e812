package io.pgrunbook.steps.citus;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.engine.StepType;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLWarning;

/**
 * {@code type: citus.router_transaction}: in one transaction that is always rolled back, writes to each
 * co-located table with one distribution key ({@code UPDATE t SET col = col WHERE col = key}: no value
 * changes, only that key's rows are touched) and confirms from citus.log_remote_commands that every write
 * went to one shard per table on one node over one connection: a single-shard (router) transaction
 * (seed 000: "test transaction across co-located tables"). Row locks on that key last milliseconds.
 */
public final class CitusRouterTransactionStep extends CitusCheck {
    static final String KEY = "key";
    /** "issuing UPDATE public.t_102011 t SET ..." with detail "on server user@host:port connectionId: 1". */
    private static final Pattern ISSUED_UPDATE = Pattern.compile("issuing UPDATE (\\S+) ");
    private static final Pattern SERVER = Pattern.compile("on server \\S*@(\\S+) connectionId: (\\d+)");

    @Override
    public String name() {
        return "citus.router_transaction";
    }

    @Override
    public String summary() {
        return "a rolled-back transaction writing one key to the co-located tables is routed to a single node";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(TABLES_PARAM, ParamSpec.optional(KEY, ValueKind.STRING,
                "the distribution key value to write with (default: 0, the nil UUID or a probe string, by the column's type)"));
    }

    @Override
    public List<String> describe(Step step) {
        List<String> lines = new ArrayList<>();
        lines.add("-- in one transaction that is ALWAYS rolled back, on the coordinator, citus.log_remote_commands on:");
        lines.add("-- UPDATE <table> SET <distribution column> = <itself> WHERE <distribution column> = :key, for each table");
        step.with().forEach((k, v) -> lines.add(k + ": " + StepType.show(v)));
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        try {
            return context.inTransaction(false, c -> {
                StepOutcome outcome;
                try {
                    StepOutcome missing = CitusPresence.check(c, context.targetName());
                    outcome = missing != null ? missing : check(context, c);
                } catch (SQLException | RuntimeException e) {
                    rollbackKeeping(c, e);
                    throw e;
                }
                // Whatever happened, nothing written here may survive: the engine's commit then ends an empty transaction.
                c.rollback();
                return outcome;
            });
        } catch (SQLException e) {
            StepOutcome remote = remoteFailure(e);
            if (remote != null) {
                return remote;
            }
            throw e;
        }
    }

    /** Rolls back after {@code cause}; a rollback that fails too is added to the cause, never thrown over it. */
    static void rollbackKeeping(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException rollback) {
            cause.addSuppressed(rollback);
        }
    }

    private record Target(String table, String statement, String type, String category, Long shard, String nodes) {}

    @Override
    StepOutcome check(StepContext context, Connection c) throws SQLException {
        Findings problems = new Findings();
        List<String> tables = resolveTables(context, c, problems);
        Object givenKey = context.step().with().get(KEY);
        List<Target> targets = new ArrayList<>();
        java.util.Map<String, Integer> colocations = new java.util.LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(CitusSql.ROUTER_TABLES)) {
            ps.setArray(1, textArray(c, tables));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString("table_name");
                    if (rs.getString("column_name") == null) {
                        problems.add(table, null, null, "has no distribution column: " + CitusDistributionStep.kind(rs.getString("partmethod"),
                                rs.getString("repmodel"), rs.getInt("colocationid")) + ", not part of a router transaction by one key "
                                + "(leave it out of tables, or distribute it with create_distributed_table)");
                        continue;
                    }
                    colocations.put(table, rs.getInt("colocationid"));
                    targets.add(new Target(table, rs.getString("statement"), rs.getString("column_type"), rs.getString("category"), null, null));
                }
            }
        }
        Integer group = CitusDistributionStep.majority(List.copyOf(colocations.values()));
        colocations.forEach((table, id) -> {
            if (!id.equals(group)) {
                problems.add(table, null, null, "not co-located with the others (colocationid " + id + ", the others " + group
                        + "): one key cannot be routed to one node for all of them");
            }
        });
        if (!problems.isEmpty() || targets.isEmpty()) {
            if (problems.isEmpty()) {
                problems.add(null, null, null, "no distributed table to write to");
            }
            return outcome(Status.FAIL, problems.summary("problem"), problems.evidence("co-located distributed tables"));
        }
        String key = givenKey != null ? givenKey.toString() : defaultKey(targets.get(0));
        if (key == null) {
            return outcome(Status.ERROR, "no default key for a distribution column of type " + targets.get(0).type()
                    + "; give one with with: { key: ... }", Evidence.none());
        }
        List<Target> located = new ArrayList<>();
        Set<String> placementNodes = new LinkedHashSet<>();
        for (Target t : targets) {
            try (PreparedStatement ps = c.prepareStatement(CitusSql.SHARD_FOR_KEY)) {
                ps.setString(1, t.table());
                ps.setString(2, key);
                try (ResultSet rs = ps.executeQuery()) {
                    located.add(rs.next() ? new Target(t.table(), t.statement(), t.type(), t.category(), rs.getLong("shardid"), rs.getString("nodes")) : t);
                }
            }
            Target last = located.get(located.size() - 1);
            if (last.nodes() != null) {
                placementNodes.addAll(Arrays.asList(last.nodes().split(", ")));
            }
        }
        String down = unreachableAmong(NodeProbe.of(context, c), placementNodes);
        if (down != null) {
            return outcome(Status.ERROR, "not run: the shards of key " + key + " are on " + down + "; bring the node back, "
                    + "or give another key with with: { key: ... }", Evidence.none());
        }
        try (PreparedStatement ps = c.prepareStatement(CitusSql.LOG_REMOTE_COMMANDS)) {
            ps.execute();
        }
        List<List<Object>> rows = new ArrayList<>();
        Set<String> servers = new LinkedHashSet<>();
        for (Target t : located) {
            List<String[]> issued = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(t.statement())) {
                ps.setString(1, key);
                ps.executeUpdate();
                for (SQLWarning w = ps.getWarnings(); w != null; w = w.getNextWarning()) {
                    Matcher m = ISSUED_UPDATE.matcher(String.valueOf(w.getMessage()));
                    String detail = w instanceof PSQLWarning pw && pw.getServerErrorMessage() != null ? pw.getServerErrorMessage().getDetail() : null;
                    Matcher s = SERVER.matcher(String.valueOf(detail));
                    if (m.find() && s.find()) {
                        issued.add(new String[] {m.group(1), s.group(1) + " connection " + s.group(2)});
                    }
                }
            }
            for (String[] i : issued) {
                servers.add(i[1]);
            }
            rows.add(Arrays.asList(t.table(), t.shard(), t.nodes(), issued.size(),
                    issued.stream().map(i -> i[0] + " on " + i[1]).reduce((a, b) -> a + "; " + b).orElse(null)));
            if (issued.size() != 1) {
                problems.add(t.table(), t.shard(), t.nodes(), issued.isEmpty()
                        ? "the write reached no shard (not logged by citus.log_remote_commands): was it planned on the coordinator?"
                        : "the write went to " + issued.size() + " shards, not one: it is not a router query");
            }
        }
        if (servers.size() > 1) {
            problems.add(null, null, null, "the transaction wrote over " + servers.size() + " node connections " + servers
                    + ": a multi-node (two-phase commit) transaction, not a router transaction");
        }
        List<String> columns = List.of("table", "shard_for_key", "placement", "writes_issued", "issued_to");
        String expected = "each write to exactly one shard, all on one node connection (key " + key + ")";
        if (!problems.isEmpty()) {
            return outcome(Status.FAIL, problems.summary("problem") + " (rolled back)", problems.evidence(expected));
        }
        return outcome(Status.PASS, located.size() + " co-located tables written with key " + key + " in one router transaction on "
                + servers.iterator().next() + " (rolled back)",
                new Evidence(expected, "1 node connection: " + servers.iterator().next(), columns, rows, rows.size()));
    }

    /** A key of the column's type that is harmless to write with (the UPDATE changes no value anyway). */
    private static String defaultKey(Target t) {
        if ("uuid".equals(t.type())) {
            return "00000000-0000-0000-0000-000000000000";
        }
        if ("N".equals(t.category())) {
            return "0";
        }
        if ("S".equals(t.category())) {
            return "pgrunbook-router-probe";
        }
        return null;
    }
}
