package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.report.Status;
import io.pgrunbook.steps.shardset.ShardTable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code status} and {@code cancel} of a move, from its state on the new shard. */
final class MoveControl {
    record Answer(Status status, String message, List<List<Object>> rows) {}

    static final List<String> STATUS_COLUMNS = List.of("item", "value");

    private MoveControl() {}

    static Answer status(StepContext target, MoveConfig config) throws SQLException {
        Optional<MoveState.Move> move = MoveState.last(target);
        List<List<Object>> rows = new ArrayList<>();
        if (move.isEmpty()) {
            return new Answer(Status.PASS, "no move has run on " + target.targetName(), rows);
        }
        MoveState.Move m = move.get();
        MoveState.Progress p = MoveState.progress(target, m.id());
        rows.add(List.of("move", "#" + m.id()));
        rows.add(List.of("phase", m.phase().label()));
        if (m.message() != null) {
            rows.add(List.of("message", m.message()));
        }
        rows.add(List.of("batches done", p.done() + " of " + p.batches()));
        rows.add(List.of("rows copied", p.copiedRows() + " (planned " + p.plannedRows() + ")"));
        if (m.copyStarted() && m.seconds() > 0) {
            rows.add(List.of("copy progress", ProgressLog.line(p.plannedDone(), p.plannedRows(), p.plannedDone(), m.seconds())
                    + " (rows per second since the copy began " + Math.round(m.seconds()) + " s ago"
                    + (m.phase() == MoveState.Phase.DONE ? ", until the move finished)" : ")")));
        }
        rows.add(List.of("shard map written", m.mapWritten() ? "yes" : "no"));
        for (String s : config.shards()) {
            String backlog;
            try {
                StepContext src = target.onTarget(s);
                backlog = ChangeCapture.installed(src) ? ChangeCapture.backlog(src) + " changes waiting in the log" : "no capture trigger";
            } catch (SQLException | RuntimeException e) {
                backlog = "not reachable: " + e.getMessage();
            }
            rows.add(List.of("source " + s, backlog));
        }
        String summary = "move #" + m.id() + ": " + m.phase().label() + ", " + p.done() + "/" + p.batches() + " batches, "
                + p.copiedRows() + " rows copied" + (m.message() != null ? " (" + m.message() + ")" : "");
        Status st = m.message() != null && m.message().startsWith("paused") ? Status.WARN : Status.PASS;
        return new Answer(st, summary, rows);
    }

    /**
     * Removes the triggers, log and frozen keys from the sources (they are as they were: the move
     * never deleted from them before cutover) and every row of the move's tables on the new shard,
     * which the plan proved empty before the move started. Refused once the new shard map is out.
     */
    static Answer cancel(StepContext target, MoveConfig config) throws SQLException {
        Optional<MoveState.Move> move = MoveState.active(target);
        List<List<Object>> rows = new ArrayList<>();
        if (move.isPresent() && !move.get().signature().equals(config.signature())) {
            return new Answer(Status.FAIL, "the unfinished move #" + move.get().id() + " on " + target.targetName()
                    + " has another shard map; cancel it with the options it was started with", rows);
        }
        if (move.isPresent() && move.get().mapWritten()) {
            return new Answer(Status.FAIL, "move #" + move.get().id() + " is past cutover: the new shard map is out and applications may "
                    + "already write to " + target.targetName() + ", so removing its rows would lose their writes; finish it with shard-move run",
                    rows);
        }
        for (String s : config.shards()) {
            StepContext src = target.onTarget(s);
            boolean had = ChangeCapture.installed(src);
            ChangeCapture.remove(src, config);
            rows.add(List.of(s, had ? "triggers, change log and frozen keys removed" : "nothing of the move there"));
        }
        if (move.isEmpty()) {
            return new Answer(Status.PASS, "no unfinished move on " + target.targetName() + "; sources checked for leftovers", rows);
        }
        Map<String, ShardTable> tables = ShardTables.resolve(target, config);
        long deleted = Tx.write(target, c -> {
            long n = 0;
            for (String t : config.deleteOrder()) {
                try (PreparedStatement ps = c.prepareStatement(MoveSql.deleteAll(tables.get(t)))) {
                    n += ps.executeUpdate();
                }
            }
            return n;
        });
        rows.add(List.of(target.targetName(), deleted + " copied rows deleted"));
        MoveState.finish(target, move.get().id(), MoveState.Phase.CANCELLED, "cancelled: " + deleted + " copied rows removed");
        return new Answer(Status.PASS, "move #" + move.get().id() + " cancelled: " + deleted + " copied rows removed from "
                + target.targetName() + ", the sources are as they were", rows);
    }
}
