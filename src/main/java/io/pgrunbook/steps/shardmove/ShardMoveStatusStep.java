package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.runbook.Step;
import java.util.List;

/** {@code shardset.move_status}: the move's phase, batches, rows, rate and ETA, and each source's change-log backlog. Read only. */
public final class ShardMoveStatusStep extends MoveStepBase {
    @Override
    public String name() {
        return "shardset.move_status";
    }

    @Override
    public String summary() {
        return "a shard move's phase, batches done, rows, rate and ETA";
    }

    @Override
    public boolean writes() {
        return false;
    }

    @Override
    public List<String> describe(Step step) {
        return List.of("reads pgrunbook.shard_move on " + MoveConfig.from(step.with()).newShard() + " and each source's change-log size");
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        MoveControl.Answer a = MoveControl.status(context, MoveConfig.from(context.step().with()));
        return StepOutcome.verdict(a.status(), a.message(), evidence(null, a.message(), MoveControl.STATUS_COLUMNS, a.rows()));
    }
}
