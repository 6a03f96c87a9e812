package io.pgrunbook.steps.ttl;

import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Metric;
import io.pgrunbook.report.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A sweep's verdict, evidence and metrics: totals per table, deletes and backlog per hashed scope. */
final class SweepReport {
    static final List<String> COLUMNS = List.of("scope", "values", "pending_before", "deleted", "batches", "skipped_locked", "pending_after");

    private SweepReport() {}

    static StepOutcome outcome(TtlConfig config, SweepResult r) {
        List<List<Object>> rows = new ArrayList<>();
        for (SweepResult.ScopeResult s : r.scopes()) {
            rows.add(List.of(s.hash(), String.join("/", s.values()), s.pendingBefore(), s.deleted(), s.batches(), s.skippedLocked(),
                    s.pendingAfter() < 0 ? "unknown" : s.pendingAfter()));
        }
        String expected = config.maxPending() >= 0 ? "expired rows pending <= " + config.maxPending() : null;
        String observed = r.planSummary();
        Evidence evidence = new Evidence(expected, observed, COLUMNS, rows, rows.size());
        if (config.dryRun()) {
            String message = "dry run: " + r.pendingAfter() + " expired rows pending in " + r.scopes().size() + " scope(s) of " + r.table()
                    + ", oldest expired " + age(r.oldestExpiredAgeSeconds()) + " ago; nothing deleted"
                    + (r.refusal() == null ? "" : "; a real sweep would refuse: " + r.refusal())
                    + "\nplan: " + r.planSummary() + largestScopes(r);
            return StepOutcome.verdict(r.refusal() == null ? Status.PASS : Status.WARN, message, evidence).withMetrics(backlog(r));
        }
        String done = r.deleted() + " expired rows deleted from " + r.table() + " in " + r.batches() + " batches"
                + (r.byBlocks() ? " of heap block ranges" : "") + ", " + Math.round(r.rowsPerSecond()) + " rows/s over "
                + seconds(r.deleting()) + " of deleting (" + seconds(r.duration()) + " with the backlog counts), " + r.skippedLocked() + " skipped (locked by another session), longest batch "
                + r.longestBatch().toMillis() + " ms"
                + (r.changedSinceSelected() == 0 ? "" : ", " + r.changedSinceSelected() + " changed since selected (updated or deleted by others; "
                        + "any still expired are left for the next run)");
        Status status;
        String message;
        if ("interrupted".equals(r.stoppedBy())) {
            status = Status.ERROR;
            message = "interrupted: " + done + " before the interrupt are committed; the rest is untouched: run again to carry on";
        } else {
            String backlog = "; " + r.pendingAfter() + " expired rows pending, oldest " + age(r.oldestExpiredAgeSeconds()) + " old";
            if (config.maxPending() >= 0 && r.pendingAfter() > config.maxPending()) {
                status = Status.FAIL;
                message = "backlog over threshold: " + r.pendingAfter() + " expired rows pending > max_pending " + config.maxPending() + " ("
                        + done + (r.stoppedBy() == null ? "" : ", stopped: " + r.stoppedBy()) + ")";
            } else if (r.stoppedBy() != null) {
                status = Status.WARN;
                message = "stopped early (" + r.stoppedBy() + "): " + done + backlog + "; run again to carry on";
            } else {
                status = Status.PASS;
                message = done + backlog;
            }
        }
        List<Metric> metrics = new ArrayList<>();
        Map<String, String> t = Map.of("table", r.table());
        for (SweepResult.ScopeResult s : r.scopes()) {
            metrics.add(Metric.counter("ttl_cleanup_deletes_total", "Expired rows deleted by this sweep, per hashed scope.",
                    scoped(r.table(), s.hash()), s.deleted()));
        }
        metrics.add(Metric.gauge("ttl_sweep_rows_deleted", "Rows this sweep deleted, counted by its batches (exact; with block ranges the "
                + "per-scope ttl_cleanup_deletes_total are each scope's drop in backlog).", t, r.deleted()));
        metrics.add(Metric.counter("ttl_cleanup_batches_total", "Delete batches (transactions) committed.", t, r.batches()));
        metrics.add(Metric.counter("ttl_sweep_held_row_tries_total", "Batch deletes that met a row another session held (lock_timeout "
                + "1ms); a range is tried " + BlockRanges.DIRECT_TRIES + " times, then run with SKIP LOCKED.", t, r.heldTries()));
        metrics.add(Metric.counter("ttl_sweep_skip_locked_batches_total", "Batches that ran with SKIP LOCKED because a row stayed held.", t,
                r.skipLockedBatches()));
        metrics.add(Metric.counter("ttl_cleanup_skipped_locked_total", "Expired rows skipped because another session held them.", t, r.skippedLocked()));
        metrics.add(Metric.gauge("ttl_sweep_duration_seconds", "How long the sweep ran.", t, r.duration().toMillis() / 1000.0));
        metrics.add(Metric.gauge("ttl_sweep_deleting_seconds", "Time spent deleting, first batch to last (without the backlog counts).", t,
                r.deleting().toMillis() / 1000.0));
        metrics.add(Metric.gauge("ttl_sweep_rows_per_second", "Rows deleted per second while deleting (ttl_sweep_deleting_seconds).", t,
                Math.round(r.rowsPerSecond())));
        metrics.add(Metric.counter("ttl_cleanup_changed_rows_total", "Selected rows not deleted because they changed before their batch "
                + "(updated, extended or deleted by others).", t, r.changedSinceSelected()));
        metrics.add(Metric.gauge("ttl_sweep_longest_batch_seconds", "The longest delete batch (one transaction), client-side.", t,
                r.longestBatch().toNanos() / 1e9));
        metrics.add(Metric.counter("ttl_sweep_replica_lag_pauses_total", "Pauses because a replica lagged more than max_replica_lag.", t,
                r.replicaLagPauses()));
        metrics.add(Metric.gauge("ttl_sweep_complete", "1 when every selected scope was swept, 0 when stopped early.", t, r.complete() ? 1 : 0));
        if (r.pendingAfter() >= 0) {
            metrics.addAll(backlog(r));
        }
        return StepOutcome.verdict(status, message, evidence).withMetrics(metrics);
    }

    private static String seconds(java.time.Duration d) {
        return String.format(java.util.Locale.ROOT, "%.2f s", d.toMillis() / 1000.0);
    }

    private static List<Metric> backlog(SweepResult r) {
        Map<String, String> t = Map.of("table", r.table());
        List<Metric> metrics = new ArrayList<>();
        metrics.add(Metric.gauge("ttl_expired_rows_pending", "Expired rows not yet deleted (the TTL backlog).", t, r.pendingAfter()));
        metrics.add(Metric.gauge("ttl_oldest_expired_row_age_seconds", "How long ago the oldest pending row expired.", t,
                Math.round(r.oldestExpiredAgeSeconds())));
        for (SweepResult.ScopeResult s : r.scopes()) {
            long pending = r.refusal() != null || s.pendingAfter() < 0 ? s.pendingBefore() : s.pendingAfter();
            metrics.add(Metric.gauge("ttl_expired_rows_pending_by_scope", "Expired rows not yet deleted, per hashed scope.",
                    scoped(r.table(), s.hash()), pending));
        }
        return metrics;
    }

    /** The scopes with the most pending rows, for the DBA reading a dry run (all of them are in the JSON report). */
    private static String largestScopes(SweepResult r) {
        if (r.scopes().isEmpty() || r.scopes().get(0).values().isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("\nlargest scopes (pending, oldest expired, scope hash, values):");
        r.scopes().stream().sorted(java.util.Comparator.comparingLong(SweepResult.ScopeResult::pendingBefore).reversed()).limit(10)
                .forEach(s -> sb.append("\n  ").append(s.pendingBefore()).append("  ").append(age(s.oldestAgeBefore())).append("  ")
                        .append(s.hash()).append("  ").append(String.join("/", s.values())));
        if (r.scopes().size() > 10) {
            sb.append("\n  ... and ").append(r.scopes().size() - 10).append(" more scopes");
        }
        return sb.toString();
    }

    /** Labels in a fixed order (table, then scope), so the textfile is the same on every run. */
    private static Map<String, String> scoped(String table, String scope) {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        labels.put("table", table);
        labels.put("scope", scope);
        return labels;
    }

    static String age(double seconds) {
        long s = Math.round(seconds);
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return (s / 60) + "min";
        }
        if (s < 172800) {
            return (s / 3600) + "h";
        }
        return (s / 86400) + "d";
    }
}
