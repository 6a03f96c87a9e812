package io.pgrunbook.steps.citus;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.runbook.load.Durations;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * {@code type: citus.node_probe}: every active primary node answers a {@code SELECT 1} from the
 * coordinator within a short timeout of its own (default 3s), all nodes at once. A node that does not
 * answer is named, and the later citus.* steps of the run do not wait for it again: they skip it, or
 * ERROR at once with this reason.
 */
public final class CitusNodeProbeStep extends CitusCheck {
    static final String TIMEOUT = "timeout";

    @Override
    public String name() {
        return "citus.node_probe";
    }

    @Override
    public String summary() {
        return "every node answers within a short timeout; the run's later steps skip the ones that do not";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ParamSpec.optional(TIMEOUT, ValueKind.DURATION,
                "how long a node may take to answer (citus.node_connection_timeout for the probe; default "
                        + Durations.show(NodeProbe.DEFAULT_TIMEOUT) + ")"));
    }

    @Override
    StepOutcome check(StepContext context, Connection c) throws SQLException {
        Object t = context.step().with().get(TIMEOUT);
        Duration timeout = t instanceof Duration d ? d : NodeProbe.DEFAULT_TIMEOUT;
        NodeProbe.Result r = NodeProbe.probe(context, c, timeout);
        String expected = "every active primary node answers within " + Durations.show(timeout);
        Evidence evidence = new Evidence(expected, (r.rows().size() - r.unreachable().size()) + " of " + r.rows().size() + " nodes answered",
                NodeProbe.COLUMNS, r.rows(), r.rows().size());
        if (!r.allAnswered()) {
            return outcome(Status.FAIL, r.describe() + ". The steps that need " + (r.unreachable().size() == 1 ? "it" : "them")
                    + " skip it or stop at once, without waiting again. A node that accepts connections but never answers is often a stopped or "
                    + "hung postmaster: check it on its host (ps, the server log)", evidence);
        }
        return outcome(Status.PASS, r.rows().size() + " nodes answered within " + Durations.show(timeout), evidence);
    }
}
