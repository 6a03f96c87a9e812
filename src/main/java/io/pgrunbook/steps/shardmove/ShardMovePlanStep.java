package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.Step;
import java.util.List;

/** {@code shardset.move_plan}: which keys move from which shard, rows and bytes, and the move's preconditions. Read only. */
public final class ShardMovePlanStep extends MoveStepBase {
    @Override
    public String name() {
        return "shardset.move_plan";
    }

    @Override
    public String summary() {
        return "plan adding a shard to a jump-hash shard set: moving keys, rows and bytes per source, preconditions";
    }

    @Override
    public boolean writes() {
        return false;
    }

    @Override
    public List<String> describe(Step step) {
        List<String> lines = describeMap(step);
        lines.add("reads every key of each table on each shard (one snapshot per shard) and fingerprints each shard's schema; writes nothing");
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        MoveConfig config = MoveConfig.from(context.step().with());
        MovePlanner.Plan plan = MovePlanner.plan(context, config, MoveState.active(context));
        String summary = plan.movingKeys() + " keys (" + plan.movingRows() + " rows) move to " + context.targetName();
        return StepOutcome.verdict(plan.ok() ? Status.PASS : Status.FAIL,
                (plan.ok() ? summary + "; every precondition passes" : "a move would be refused: " + String.join("; ", plan.failures())) + plan.text(),
                evidence("every precondition passes", summary, MovePlanner.COLUMNS, plan.rows()));
    }
}
