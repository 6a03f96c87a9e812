package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Metric;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code shardset.move}: grows a jump-hash shard set by one shard, live: change capture on the
 * sources, batched copy, catch-up, verify, cutover (freeze, final verify, new shard map), grace,
 * cleanup. Refuses unless every precondition of the plan passes; resumes an unfinished move.
 */
public final class ShardMoveStep extends MoveStepBase {
    private static volatile MoveHooks testHooks = MoveHooks.NONE;

    /** Test seam: the hooks of the moves this class runs next ({@code null}: none). */
    public static void testHooks(MoveHooks hooks) {
        testHooks = hooks == null ? MoveHooks.NONE : hooks;
    }

    @Override
    public String name() {
        return "shardset.move";
    }

    @Override
    public String summary() {
        return "add a shard to a jump-hash shard set: copy, catch up, verify, cut over, clean up (resumable)";
    }

    @Override
    public boolean writes() {
        return true;
    }

    @Override
    public List<ParamSpec> parameters() {
        List<ParamSpec> p = new ArrayList<>(COMMON);
        p.add(ParamSpec.optional(BATCH_SIZE, ValueKind.INTEGER, "rows per copy batch, each one snapshot and one transaction (default "
                + MoveConfig.DEFAULT_BATCH_SIZE + ")"));
        p.add(ParamSpec.optional(PAUSE, ValueKind.DURATION, "pause between batches, to spare a busy source (default none)"));
        p.add(ParamSpec.optional(GRACE, ValueKind.DURATION, "after the new shard map is written, how long applications get to reload it "
                + "before the moved rows are deleted from the sources (default 0s)"));
        p.add(ParamSpec.optional(MAP_FILE, ValueKind.STRING, "also write the new shard map to this JSON file (atomically)"));
        return p;
    }

    @Override
    public List<String> describe(Step step) {
        MoveConfig c = MoveConfig.from(step.with());
        List<String> lines = describeMap(step);
        lines.add("plan and preconditions first (read only); refuses unless all pass; holds advisory lock pgrunbook:shard-move on " + c.newShard());
        lines.add("setup: change-capture trigger on each table of each source, logging keys into pgrunbook.shard_move_log");
        lines.add("copy: batches of at most " + c.batchSize() + " rows, each one REPEATABLE READ snapshot of its source and one transaction on "
                + c.newShard() + " (delete the batch's keys, insert their rows, mark the batch done)"
                + (c.pause().isZero() ? "" : ", pausing " + c.pause().toMillis() + " ms between batches"));
        lines.add("catch-up: re-copy every moving key the change log names, until quiet");
        lines.add("verify: per moving key, row count and md5 of its rows on source and " + c.newShard() + "; any difference fails");
        lines.add("cutover: freeze the moving keys on the sources (writes to them refused), drain, verify again, write the map "
                + "(pgrunbook.shard_map on every shard" + (c.mapFile() == null ? "" : ", " + c.mapFile()) + ")");
        lines.add("grace: wait " + c.grace().toSeconds() + " s for applications to reload the map; cleanup: delete the moved rows from the "
                + "sources in batches, children first (" + String.join(", ", c.deleteOrder()) + "), remove the triggers and log");
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        MoveConfig config = MoveConfig.from(context.step().with());
        return MoveLock.holding(context, () -> {
            Optional<MoveState.Move> active = MoveState.active(context);
            MovePlanner.Plan plan = MovePlanner.plan(context, config, active);
            if (!plan.ok()) {
                return StepOutcome.verdict(Status.FAIL, "refused, nothing changed: " + String.join("; ", plan.failures()) + plan.text(),
                        evidence("every precondition passes", plan.failures().size() + " failed", MovePlanner.COLUMNS, plan.rows()));
            }
            ShardMover mover = new ShardMover(context, config, testHooks);
            ShardMover.Result r = mover.run(plan, active.filter(m -> m.signature().equals(config.signature())));
            List<List<Object>> rows = new ArrayList<>();
            for (ShardMover.PhaseResult p : r.phases()) {
                rows.add(List.of(p.phase(), p.status().name(), p.keys(), p.rows(), String.format("%.1f", p.seconds()), p.detail()));
            }
            for (Verifier.Mismatch m : r.mismatches()) {
                rows.add(List.of("mismatch", "FAIL", m.key(), "", "", m.source() + ": " + m.sourceRows() + " | "
                        + context.targetName() + ": " + m.targetRows()));
            }
            StringBuilder text = new StringBuilder(r.message());
            for (ShardMover.PhaseResult p : r.phases()) {
                text.append('\n').append(String.format("%-5s %-9s %6.1f s  ", p.status().name(), p.phase(), p.seconds()))
                        .append(p.keys() > 0 ? p.keys() + " keys, " : "").append(p.rows() > 0 ? p.rows() + " rows: " : "").append(p.detail());
            }
            long moved = r.phases().stream().filter(p -> p.phase().equals("copy")).mapToLong(ShardMover.PhaseResult::rows).sum();
            return StepOutcome.verdict(r.status(), text.toString(), evidence("every phase passes", r.phases().size() + " phases",
                    List.of("phase", "status", "keys", "rows", "seconds", "detail"), rows))
                    .withMetrics(List.of(Metric.gauge("pgrunbook_shard_move_mismatched_keys", "Moved keys whose rows differ between source and new shard",
                            Map.of("shard", context.targetName()), r.mismatches().size()),
                            Metric.gauge("pgrunbook_shard_move_copied_rows", "Rows copied by this run of the move",
                                    Map.of("shard", context.targetName()), moved)));
        });
    }
}
