package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.runbook.Step;
import java.util.List;

/** {@code shardset.move_cancel}: undoes an unfinished move before its cutover; the sources are left as they were. */
public final class ShardMoveCancelStep extends MoveStepBase {
    @Override
    public String name() {
        return "shardset.move_cancel";
    }

    @Override
    public String summary() {
        return "cancel an unfinished shard move: remove the copied rows and the sources' triggers and log";
    }

    @Override
    public boolean writes() {
        return true;
    }

    @Override
    public List<String> describe(Step step) {
        MoveConfig c = MoveConfig.from(step.with());
        return List.of("refused once the new shard map is written (finish the move instead)",
                "drops the change-capture triggers, log and frozen keys on " + String.join(", ", c.shards()),
                "deletes every row of " + String.join(", ", c.deleteOrder()) + " on " + c.newShard() + " (the move filled it from empty)");
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        MoveConfig config = MoveConfig.from(context.step().with());
        MoveControl.Answer a = MoveLock.holding(context, () -> MoveControl.cancel(context, config));
        return StepOutcome.verdict(a.status(), a.message(), evidence(null, a.message(), List.of("shard", "done"), a.rows()));
    }
}
