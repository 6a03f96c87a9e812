package io.pgrunbook.steps.shardmove;

import io.pgrunbook.db.SqlStates;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.report.Status;
import io.pgrunbook.steps.shardmove.MoveState.Batch;
import io.pgrunbook.steps.shardmove.MoveState.Phase;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a move phase by phase (setup, copy, catch-up, verify, cutover, grace, cleanup), recording the
 * phase on the new shard before each starts so that a rerun carries on from it. Every phase can be
 * repeated: a copy batch replaces its keys' rows, a catch-up re-copies logged keys, a cleanup deletes
 * what is still there.
 */
final class ShardMover {
    static final String LOCK = "pgrunbook:shard-move";
    private static final Logger LOG = LoggerFactory.getLogger(ShardMover.class);
    /** A catch-up pass that re-copies fewer keys than this counts as caught up (the application keeps writing). */
    private static final int QUIET_KEYS = 50;
    private static final int MAX_PASSES = 200;
    private static final int VERIFY_ROUNDS = 5;
    private static final int KEYS_PER_CATCH_UP_COPY = 500;

    /** What a phase did, for the report. */
    record PhaseResult(String phase, Status status, long keys, long rows, double seconds, String detail) {}

    /** How the run ended. */
    record Result(Status status, String message, List<PhaseResult> phases, List<Verifier.Mismatch> mismatches) {}

    private final StepContext target;
    private final MoveConfig config;
    private final MoveHooks hooks;
    private final List<PhaseResult> phases = new ArrayList<>();
    private MovePlanner.Plan plan;
    private BatchCopier copier;
    private Verifier verifier;
    private long id;
    /** The source being worked on, to name it when it goes away. */
    private String current;

    ShardMover(StepContext target, MoveConfig config, MoveHooks hooks) {
        this.target = target;
        this.config = config;
        this.hooks = hooks;
    }

    Result run(MovePlanner.Plan givenPlan, java.util.Optional<MoveState.Move> active) throws SQLException {
        this.plan = givenPlan;
        MoveState.create(target);
        Phase phase = active.map(MoveState.Move::phase).orElse(Phase.SETUP);
        id = active.isPresent() ? active.get().id() : MoveState.begin(target, config.signature());
        if (active.isPresent()) {
            LOG.info("shard-move: resuming move #{} at phase {}", id, phase.label());
        }
        copier = new BatchCopier(config, plan.sourceTables().get(config.shards().get(0)), plan.targetTables());
        verifier = new Verifier(plan.sourceTables().get(config.shards().get(0)), plan.targetTables());
        copier.readColumns(target);
        try {
            while (phase != Phase.DONE) {
                if (target.isCancelled()) {
                    MoveState.phase(target, id, phase, "interrupted during " + phase.label() + ": rerun shard-move run to carry on");
                    return new Result(Status.ERROR, "interrupted during " + phase.label() + "; the move is resumable: rerun shard-move run",
                            phases, List.of());
                }
                MoveState.phase(target, id, phase, null);
                long began = System.nanoTime();
                Phase next = switch (phase) {
                    case SETUP -> setup();
                    case COPY -> copy();
                    case CATCH_UP -> catchUp();
                    case VERIFY -> verifyPhase();
                    case CUTOVER -> cutover();
                    case GRACE -> grace();
                    case CLEANUP -> cleanup();
                    default -> throw new IllegalStateException("phase " + phase + " does not run");
                };
                LOG.info("shard-move: phase {} done in {} s", phase.label(), String.format("%.1f", (System.nanoTime() - began) / 1e9));
                if (next == null) {
                    return new Result(Status.FAIL, lastDetail(), phases, mismatches);
                }
                hooks.afterPhase(phase.label());
                phase = next;
            }
            MoveState.finish(target, id, Phase.DONE, "moved " + plan.movingKeys() + " keys");
            return new Result(leftovers.isEmpty() ? Status.PASS : Status.WARN, leftovers.isEmpty()
                    ? "moved to " + target.targetName() + "; the shard map now has " + (config.oldCount() + 1) + " shards"
                    : lastDetail(), phases, List.of());
        } catch (SQLException e) {
            if (current != null && SqlStates.kind(e) == SqlStates.Kind.CONNECTION) {
                String why = "source shard " + current + " went away during " + phase.label() + " (" + SqlStates.describe(e)
                        + "); the move is paused: nothing copied is lost, rerun 'shard-move run' when " + current + " is back";
                try {
                    MoveState.phase(target, id, phase, "paused: " + why);
                } catch (SQLException ignored) {
                    // The new shard is gone too: the state still names the phase it was in.
                }
                throw new PgRunbookException(ExitCode.CANNOT_RUN, why, e);
            }
            if ("23505".equals(e.getSQLState())) {
                String why = "rows of two source shards share a unique key on " + target.targetName() + " (" + SqlStates.describe(e)
                        + "): a shard set whose tables' unique keys are not unique across shards (e.g. a bigserial per shard) cannot be "
                        + "merged by a move; cancel it (shard-move cancel) and make the keys globally unique";
                MoveState.phase(target, id, phase, "stopped: " + why);
                record(phase.label(), Status.FAIL, 0, 0, System.nanoTime(), why);
                return new Result(Status.FAIL, why, phases, List.of());
            }
            throw e;
        }
    }

    private final List<Verifier.Mismatch> mismatches = new ArrayList<>();
    /** Keys re-copied since the verify phase passed in this process, per source; null when it did not (a resumed run). */
    private Map<String, Set<String>> changedSinceVerify;
    private final List<String> leftovers = new ArrayList<>();

    private String lastDetail() {
        return phases.isEmpty() ? "" : phases.get(phases.size() - 1).detail();
    }

    private StepContext source(String name) {
        current = name;
        return target.onTarget(name);
    }

    private Phase setup() throws SQLException {
        long began = System.nanoTime();
        for (String s : config.shards()) {
            ChangeCapture.install(source(s), config);
        }
        current = null;
        record("setup", Status.PASS, 0, 0, began, "change-capture trigger on " + String.join(", ", config.tables().keySet())
                + " of each source shard, logging into pgrunbook.shard_move_log");
        return Phase.COPY;
    }

    private Phase copy() throws SQLException {
        long began = System.nanoTime();
        if (!MoveState.batchesPlanned(target, id)) {
            // Read the keys again now that the triggers log every change: a key written between the plan's
            // read and the triggers' installation would be in neither the batches nor the log.
            List<Batch> batches = new ArrayList<>();
            List<KeyScan> scans = new ArrayList<>();
            for (int i = 0; i < config.shards().size(); i++) {
                String name = config.shards().get(i);
                scans.add(KeyScan.of(source(name), i, config, plan.sourceTables().get(name)));
            }
            current = null;
            for (KeyScan s : scans) {
                int no = 0;
                List<String> keys = new ArrayList<>();
                long rows = 0;
                for (Map.Entry<String, KeyScan.KeyRows> k : s.moving.entrySet()) {
                    if (!keys.isEmpty() && rows + k.getValue().rows() > config.batchSize()) {
                        batches.add(new Batch(s.shard, no++, keys, rows));
                        keys = new ArrayList<>();
                        rows = 0;
                    }
                    keys.add(k.getKey());
                    rows += k.getValue().rows();
                }
                if (!keys.isEmpty()) {
                    batches.add(new Batch(s.shard, no, keys, rows));
                }
            }
            MoveState.planBatches(target, id, batches);
        }
        MoveState.copyStarted(target, id);
        MoveState.Progress before = MoveState.progress(target, id);
        ProgressLog progress = new ProgressLog("copy", before.plannedRows(), before.plannedDone());
        long rows = 0;
        long keys = 0;
        for (Batch b : MoveState.pending(target, id)) {
            if (target.isCancelled()) {
                return Phase.COPY;
            }
            StepContext src = source(b.source());
            BatchCopier.Rows data = copier.read(src, b.keys());
            current = null;
            rows += copier.write(target, b.keys(), data, (c, n) -> MoveState.batchDone(c, id, b, n));
            keys += b.keys().size();
            progress.advance(b.plannedRows());
            hooks.afterBatch(b.source(), b.batchNo());
            pause();
        }
        MoveState.Progress after = MoveState.progress(target, id);
        record("copy", Status.PASS, keys, rows, began, after.done() + " of " + after.batches() + " batches done (" + after.copiedRows()
                + " rows in all), batches of at most " + config.batchSize() + " rows, each one snapshot of its source and one transaction on "
                + target.targetName());
        return target.isCancelled() ? Phase.COPY : Phase.CATCH_UP;
    }

    private Phase catchUp() throws SQLException {
        long began = System.nanoTime();
        long keys = 0;
        for (String s : config.shards()) {
            keys += drain(s, QUIET_KEYS).size();
        }
        record("catch-up", Status.PASS, keys, 0, began, keys + " keys written to during the copy re-copied from the change log");
        return Phase.VERIFY;
    }

    private Phase verifyPhase() throws SQLException {
        long began = System.nanoTime();
        long keys = verifyAll();
        if (!mismatches.isEmpty()) {
            record("verify", Status.FAIL, mismatches.size(), 0, began, mismatchText());
            return null;
        }
        record("verify", Status.PASS, keys, 0, began, keys + " keys: row counts and checksums equal on source and " + target.targetName());
        changedSinceVerify = new java.util.HashMap<>();
        return Phase.CUTOVER;
    }

    /** Freezes the moving keys, drains, verifies, then writes the new shard map. */
    private Phase cutover() throws SQLException {
        long began = System.nanoTime();
        long frozen = freezeMoving();
        for (String s : config.shards()) {
            drain(s, 0);
        }
        long keys;
        if (changedSinceVerify == null) {
            keys = verifyAll(); // resumed here: nothing known about what changed since the verify phase
        } else {
            // Every key verified by the verify phase and not written since is unchanged on both sides
            // (its source writes are logged, the new shard is written by no one else yet): only the
            // keys re-copied since then are verified again, which keeps the freeze short.
            mismatches.clear();
            keys = 0;
            for (String s : config.shards()) {
                Set<String> changed = changedSinceVerify.getOrDefault(s, Set.of());
                keys += changed.size();
                if (!changed.isEmpty()) {
                    verifyKeys(s, changed);
                }
            }
        }
        if (!mismatches.isEmpty()) {
            record("cutover", Status.FAIL, mismatches.size(), 0, began, "final verify after freezing: " + mismatchText());
            return null;
        }
        String where = ShardMap.write(target, config);
        MoveState.mapWritten(target, id);
        record("cutover", Status.PASS, keys, 0, began, frozen + " keys frozen on the sources (writes to them are refused), final verify of the "
                + keys + " keys written since the verify phase passed, new shard map (" + (config.oldCount() + 1) + " shards) written to " + where);
        return Phase.GRACE;
    }

    /** Waits for the applications to reload the map, catching up keys created meanwhile on the old shards. */
    private Phase grace() throws SQLException {
        long began = System.nanoTime();
        long keys = 0;
        while (true) {
            double since = MoveState.mapWritten(target, id);
            double left = config.grace().toMillis() / 1000.0 - since;
            for (String s : config.shards()) {
                keys += drain(s, 0).size();
            }
            if (left <= 0 || target.isCancelled()) {
                break;
            }
            LOG.info("shard-move: grace period, {} s left before the moved rows are deleted from the sources", Math.round(left));
            sleep(Duration.ofMillis((long) Math.min(1000, left * 1000)));
        }
        if (target.isCancelled()) {
            return Phase.GRACE;
        }
        record("grace", Status.PASS, keys, 0, began, "waited " + config.grace().toSeconds() + " s after the new map for applications to reload it; "
                + keys + " keys created on old shards meanwhile copied");
        return Phase.CLEANUP;
    }

    /** Deletes the moved rows from the sources (children first) and removes the triggers. */
    private Phase cleanup() throws SQLException {
        long began = System.nanoTime();
        // Keys frozen at cutover are the new shard's now (the application writes them there): only keys
        // created on the old shards since then are copied and verified before the sources lose them.
        Map<String, Set<String>> frozenBefore = new java.util.HashMap<>();
        for (String s : config.shards()) {
            frozenBefore.put(s, ChangeCapture.frozen(source(s)));
        }
        freezeMoving();
        mismatches.clear();
        for (String s : config.shards()) {
            drain(s, 0);
            Set<String> late = new TreeSet<>(ChangeCapture.frozen(source(s)));
            late.removeAll(frozenBefore.get(s));
            if (!late.isEmpty()) {
                verifyKeys(s, late);
            }
        }
        current = null;
        if (!mismatches.isEmpty()) {
            record("cleanup", Status.FAIL, mismatches.size(), 0, began, "verify of keys created on the old shards after cutover: "
                    + mismatchText() + "; nothing was deleted");
            return null;
        }
        long deleted = 0;
        long keys = 0;
        for (String s : config.shards()) {
            StepContext src = source(s);
            List<String> frozen = new ArrayList<>(ChangeCapture.frozen(src));
            keys += frozen.size();
            ProgressLog progress = new ProgressLog("cleanup " + s, frozen.size(), 0);
            int step = Math.max(1, config.batchSize() / 10);
            for (int from = 0; from < frozen.size(); from += step) {
                List<String> part = frozen.subList(from, Math.min(frozen.size(), from + step));
                deleted += SourceCleanup.delete(src, plan.sourceTables().get(s), config, part);
                progress.advance(part.size());
                pause();
            }
        }
        for (String s : config.shards()) {
            ChangeCapture.remove(source(s), config);
        }
        current = null;
        for (int i = 0; i < config.shards().size(); i++) {
            String s = config.shards().get(i);
            Set<String> left = KeyScan.moving(source(s), config, plan.sourceTables().get(s));
            current = null;
            if (!left.isEmpty()) {
                leftovers.add(left.size() + " keys that belong on " + target.targetName() + " were written to " + s
                        + " after the last freeze (an application still on the old map?), e.g. "
                        + String.join(", ", left.stream().limit(10).toList()) + "; they stay there: validate-shards names them");
            }
        }
        record("cleanup", leftovers.isEmpty() ? Status.PASS : Status.WARN, keys, deleted, began, leftovers.isEmpty()
                ? deleted + " moved rows deleted from the sources (children first), triggers and change log removed"
                : String.join("; ", leftovers));
        return Phase.DONE;
    }

    /** Puts every moving key the sources hold into their frozen-key tables; returns how many. */
    private long freezeMoving() throws SQLException {
        long n = 0;
        for (int i = 0; i < config.shards().size(); i++) {
            String s = config.shards().get(i);
            StepContext src = source(s);
            Set<String> moving = KeyScan.moving(src, config, plan.sourceTables().get(s));
            ChangeCapture.freeze(src, moving);
            n += moving.size();
        }
        current = null;
        return n;
    }

    /**
     * Verifies every key that moves from each source (those the source holds and those the new shard
     * holds); a mismatch explained by a write logged meanwhile is caught up and checked again, the rest
     * are reported. Returns the keys compared.
     */
    private long verifyAll() throws SQLException {
        mismatches.clear();
        Set<String> onTarget = KeyScan.keys(target, plan.targetTables());
        long compared = 0;
        for (int i = 0; i < config.shards().size(); i++) {
            String s = config.shards().get(i);
            StepContext src = source(s);
            Set<String> keys = new TreeSet<>(KeyScan.moving(src, config, plan.sourceTables().get(s)));
            for (String k : onTarget) {
                if (config.homeNow(k) == i) {
                    keys.add(k);
                }
            }
            compared += keys.size();
            verifyKeys(s, keys);
        }
        current = null;
        return compared;
    }

    /** Compares the keys between the source and the new shard, adding the unexplained differences to {@link #mismatches}. */
    private void verifyKeys(String s, Collection<String> keys) throws SQLException {
        ProgressLog progress = new ProgressLog("verify " + s, keys.size(), 0);
        List<Verifier.Mismatch> found = verifier.compare(source(s), target, keys);
        progress.advance(keys.size());
        for (int round = 0; round < VERIFY_ROUNDS && !found.isEmpty(); round++) {
            Set<String> changed = drain(s, 0);
            List<String> recheck = new ArrayList<>();
            for (Verifier.Mismatch m : found) {
                if (changed.contains(m.key())) {
                    recheck.add(m.key());
                } else {
                    mismatches.add(m);
                }
            }
            found = recheck.isEmpty() ? List.of() : verifier.compare(source(s), target, recheck);
        }
        mismatches.addAll(found);
        current = null;
    }

    /**
     * Drains a source's change log: each logged key that moves is re-copied, then its entries are
     * forgotten. Stops when a pass re-copies no more than {@code quiet} keys.
     *
     * @return the keys re-copied
     */
    private Set<String> drain(String name, int quiet) throws SQLException {
        StepContext src = source(name);
        Set<String> copied = new LinkedHashSet<>();
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            ChangeCapture.Page page = ChangeCapture.read(src);
            if (page.ids().isEmpty()) {
                break;
            }
            List<String> moving = page.keys().stream().filter(config::moves).toList();
            for (int from = 0; from < moving.size(); from += KEYS_PER_CATCH_UP_COPY) {
                Collection<String> part = moving.subList(from, Math.min(moving.size(), from + KEYS_PER_CATCH_UP_COPY));
                copier.copy(src, target, part, BatchCopier.TxStep.NONE);
            }
            copied.addAll(moving);
            if (changedSinceVerify != null) {
                changedSinceVerify.computeIfAbsent(name, k -> new java.util.TreeSet<>()).addAll(moving);
            }
            ChangeCapture.forget(src, page.ids());
            if (moving.size() <= quiet) {
                break;
            }
        }
        current = null;
        return copied;
    }

    private String mismatchText() {
        StringBuilder sb = new StringBuilder(mismatches.size() + " keys differ between source and " + target.targetName() + ": ");
        for (int i = 0; i < mismatches.size(); i++) {
            Verifier.Mismatch m = mismatches.get(i);
            sb.append(i == 0 ? "" : ", ").append(m.key()).append(" (").append(m.source()).append(")");
        }
        mismatches.stream().limit(3).forEach(m -> sb.append("; key ").append(m.key()).append(" on ").append(m.source()).append(": ")
                .append(m.sourceRows()).append(", on ").append(target.targetName()).append(": ").append(m.targetRows()));
        return sb.append("; the move stops here, before anything is deleted from the sources: find why (a write outside the "
                + "application, a restored backup?), then rerun, or cancel before cutover").toString();
    }

    private void record(String phase, Status status, long keys, long rows, long began, String detail) {
        phases.add(new PhaseResult(phase, status, keys, rows, (System.nanoTime() - began) / 1e9, detail));
        LOG.info("shard-move: {} {}: {}", phase, status, detail);
    }

    private void pause() {
        if (!config.pause().isZero()) {
            sleep(config.pause());
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void bypassTriggers(java.sql.Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(MoveSql.BYPASS);
        }
    }
}
