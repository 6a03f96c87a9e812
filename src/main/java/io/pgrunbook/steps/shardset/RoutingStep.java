package io.pgrunbook.steps.shardset;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.engine.StepType;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Metric;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code shardset.routing}: on each shard, rows whose key hashes to another shard, and keys that are
 * also present on another shard, per table, with example keys. Sampled by default, every row with
 * {@code full: true}.
 */
public final class RoutingStep implements StepType {
    private static final ParamSpec FULL = ParamSpec.optional("full", ValueKind.BOOLEAN,
            "read every row instead of a sample (default false)");
    private static final ParamSpec SAMPLE_ROWS = ParamSpec.optional("sample_rows", ValueKind.INTEGER,
            "rows sampled per table per shard (default 1000)");
    private static final ParamSpec SEED = ParamSpec.optional("seed", ValueKind.INTEGER,
            "TABLESAMPLE REPEATABLE seed, to sample other pages (default 0)");
    private static final ParamSpec EXAMPLES = ParamSpec.optional("examples", ValueKind.INTEGER,
            "example keys shown per problem (default 5)");
    /** Fewer keys than this cannot say which shard count the data was routed with. */
    private static final int KEYS_TO_INFER_COUNT = 20;

    @Override
    public String name() {
        return "shardset.routing";
    }

    @Override
    public String summary() {
        return "rows on the wrong shard (their key hashes elsewhere) and keys present on more than one shard";
    }

    @Override
    public boolean writes() {
        return false;
    }

    @Override
    public SqlUse sqlUse() {
        return SqlUse.NONE;
    }

    @Override
    public boolean acceptsExpect() {
        return false;
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ShardSet.SHARDS, ShardSet.TABLES, ShardSet.HASH, FULL, SAMPLE_ROWS, SEED, EXAMPLES);
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        ShardSet.validateShards(step, targetNames, problems);
        ShardSet.validateTables(step, problems);
        if (step.with().get(SAMPLE_ROWS.name()) instanceof Number n && n.longValue() < 1) {
            problems.add(step.location(), "step '" + step.id() + "': with.sample_rows must be at least 1");
        }
    }

    @Override
    public Collection<String> otherTargets(Step step) {
        return ShardSet.shards(step);
    }

    @Override
    public List<String> describe(Step step) {
        List<String> lines = new ArrayList<>();
        List<String> shards = ShardSet.shards(step);
        lines.add("shards (index order): " + String.join(", ", shards));
        lines.add("key hash: " + ShardSet.hash(step).description() + ", then jump consistent hash over " + shards.size() + " shards");
        ShardSet.tables(step).forEach((t, c) -> lines.add("table " + t + ", key " + c));
        lines.add(Boolean.TRUE.equals(step.with().get(FULL.name())) ? "reads every row of each table on each shard"
                : "reads a sample of " + number(step, SAMPLE_ROWS, 1000) + " rows per table per shard (TABLESAMPLE SYSTEM)");
        lines.add("looks up each shard's keys on every other shard (read-only)");
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        Step step = context.step();
        List<String> shards = ShardSet.shards(step);
        String me = context.targetName();
        int index = shards.indexOf(me);
        KeyHash hash = ShardSet.hash(step);
        Sampling sampling = new Sampling(Boolean.TRUE.equals(step.with().get(FULL.name())),
                number(step, SAMPLE_ROWS, 1000), (int) number(step, SEED, 0));
        int maxExamples = (int) number(step, EXAMPLES, 5);

        List<List<Object>> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Metric> metrics = new ArrayList<>();
        Status status = Status.PASS;
        long examinedAll = 0;
        for (Map.Entry<String, String> t : ShardSet.tables(step).entrySet()) {
            String table = t.getKey();
            String column = t.getValue();
            Optional<ShardTable> resolved = context.inTransaction(true, c -> ShardTable.resolve(c, table, column));
            if (resolved.isEmpty() || !resolved.get().hasColumn()) {
                String why = resolved.isEmpty() ? "table " + table + " does not exist on " + me
                        : "table " + table + " has no column " + column + " on " + me;
                rows.add(List.of(me, table, column, 0L, 0L, "", "", "", why));
                problems.add(why);
                status = Status.worst(status, Status.FAIL);
                continue;
            }
            ShardTable st = resolved.get();
            if (!hash.hashesText() && !st.integerKey()) {
                return StepOutcome.verdict(Status.ERROR, table + "." + column + " on " + me + " is " + st.columnType()
                        + ", but hash: integer takes smallint, integer or bigint keys; set hash: to what the application's router uses ("
                        + String.join(", ", KeyHash.keywords()) + ")", new Evidence(null, null, List.of(), List.of(), 0));
            }
            Sampling.Plan plan = sampling.plan(st.reltuples());
            PlacementScan scan = new PlacementScan(index, shards.size(), hash, maxExamples);
            scan.scan(context, st, plan, sampling);
            examinedAll += scan.examined;
            DuplicateProbe.Found dups = DuplicateProbe.find(context, shards, st, scan.distinctKeys);

            List<String> detail = new ArrayList<>();
            if (scan.misplaced > 0) {
                status = Status.worst(status, Status.FAIL);
                String p = table + ": " + scan.misplaced + " of " + scan.examined + " rows examined on " + me
                        + " hash to another shard (" + scan.hashesToText(shards) + "), e.g. keys " + String.join(", ", scan.examples);
                int fits = scan.examined >= KEYS_TO_INFER_COUNT ? scan.countThatFitsAll() : 0;
                if (fits > 0) {
                    String hint = "every examined row would be in place with " + fits + " shards, not " + shards.size()
                            + ": check the shard map's count (or a move left half done)";
                    detail.add(hint);
                    p += "; " + hint;
                }
                problems.add(p);
            }
            List<String> dupExamples = new ArrayList<>();
            dups.byShard().forEach((other, keys) -> keys.stream().limit(maxExamples - dupExamples.size() > 0 ? maxExamples - dupExamples.size() : 0)
                    .forEach(k -> dupExamples.add(k + " (also on " + other + ")")));
            int dupCount = dups.distinctKeys();
            if (dupCount > 0) {
                status = Status.worst(status, Status.FAIL);
                problems.add(table + ": " + dupCount + " keys on " + me + " are also on another shard, e.g. " + String.join(", ", dupExamples));
            }
            if (!dups.unchecked().isEmpty()) {
                status = Status.worst(status, Status.WARN);
                dups.unchecked().forEach((other, why) -> {
                    detail.add("duplicates not checked on " + other + ": " + why);
                    notes.add(table + ": duplicates not checked on " + other + ": " + why);
                });
            }
            if (scan.examined == 0 && shards.size() > 1) {
                detail.add("no rows here: a shard the router never uses suggests a wrong shard count");
            }
            detail.add("read " + plan.how());
            List<String> examples = new ArrayList<>(scan.examples);
            examples.addAll(dupExamples);
            rows.add(List.of(me, table, column, scan.examined, scan.misplaced, scan.hashesToText(shards),
                    (long) dupCount, String.join(", ", examples), String.join("; ", detail)));
            Map<String, String> labels = Map.of("shard", me, "table", table);
            metrics.add(Metric.gauge("pgrunbook_shardset_misplaced_rows", "Rows examined on a shard whose key hashes to another shard",
                    labels, scan.misplaced));
            metrics.add(Metric.gauge("pgrunbook_shardset_duplicate_keys", "Keys of a shard that are also present on another shard",
                    labels, dupCount));
        }
        Evidence evidence = new Evidence("every row's key hashes to the shard it is on (" + me + " = index " + index + " of "
                + shards.size() + "), and no key is on two shards",
                problems.isEmpty() ? examinedAll + " rows examined, all in place" : problems.size() + " problem(s)",
                List.of("shard", "table", "key_column", "examined", "misplaced", "hashes_to", "duplicates", "example_keys", "detail"),
                rows, rows.size());
        if (problems.isEmpty() && examinedAll == 0 && shards.size() > 1) {
            status = Status.worst(status, Status.WARN);
            notes.add(0, "no rows on " + me + " in " + String.join(", ", ShardSet.tables(step).keySet())
                    + ": a shard the router never uses suggests a wrong shard count (or a new shard not filled yet)");
        }
        String message = !problems.isEmpty() ? String.join("; ", problems)
                : notes.isEmpty() ? examinedAll + " rows examined on " + me + ": every key hashes here and none is on another shard"
                : String.join("; ", notes);
        return StepOutcome.verdict(status, message, evidence).withMetrics(metrics);
    }

    static long number(Step step, ParamSpec p, long fallback) {
        return step.with().get(p.name()) instanceof Number n ? n.longValue() : fallback;
    }
}
