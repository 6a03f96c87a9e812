package io.pgrunbook.steps.loadtest;

import io.pgrunbook.runbook.sql.NamedSql;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A load test as the step's {@code with:} describes it, parsed and checked (see {@link ScenarioParser}).
 *
 * @param seed the seed of every random draw: the same seed gives the same data and the same draws
 */
public record Scenario(long seed, Scope scope, List<DataLoad> data, List<Operation> operations, Workload workload,
        ShardSpec shard, Slos slos, String histogramLog, String htmlReport, String baseline, double baselineTolerance) {
    /** A p95 may grow by this fraction of its baseline (and by at least {@link #BASELINE_FLOOR_MICROS}) before it is a regression. */
    public static final double DEFAULT_BASELINE_TOLERANCE = 0.20;
    /** Sub-millisecond p95s jitter by more than 20 % between identical runs: smaller growth is never a regression. */
    public static final long BASELINE_FLOOR_MICROS = 1000;

    /** Synthetic tenants x installs x namespaces; each draw binds :tenant, :install and :namespace (from 1). */
    public record Scope(int tenants, int installs, int namespaces) {
        public int totalInstalls() {
            return tenants * installs;
        }
    }

    /** Initial rows: {@code sql} run {@code rows} times with fresh parameters, in batches; skipped when {@code skipIf} is true. */
    public record DataLoad(String name, long rows, NamedSql sql, NamedSql skipIf, Map<String, Generator> params, int batch) {}

    /** An error that is part of the scenario (a quota violation): by SQLSTATE, message fragment, or both. */
    public record ExpectedError(String sqlstate, String message) {
        boolean matches(String state, String text) {
            return (sqlstate == null || sqlstate.equals(state)) && (message == null || (text != null && text.contains(message)));
        }

        @Override
        public String toString() {
            return (sqlstate == null ? "" : "SQLSTATE " + sqlstate) + (sqlstate != null && message != null ? " " : "")
                    + (message == null ? "" : "message containing '" + message + "'");
        }
    }

    /**
     * One kind of request: one statement or a chain run on one connection with the same parameters
     * (a put then a list of the same namespace), in one transaction when {@code transaction}.
     *
     * @param opClass read or write: what the p95 SLOs by class apply to
     */
    public record Operation(String name, String opClass, double weight, List<NamedSql> chain, boolean transaction,
            Map<String, Generator> params, List<ExpectedError> expectedErrors) {}

    public enum Model { OPEN, CLOSED }

    public enum Arrivals { POISSON, UNIFORM }

    /**
     * @param ratePerSecond the total target rate of the open model (the per-install rate times the installs)
     * @param maxBacklog    starts waiting for a free connection beyond which a new start is dropped and counted
     */
    public record Workload(Model model, double ratePerSecond, String rateText, Arrivals arrivals, int connections,
            Duration duration, Duration warmup, Duration rampUp, int maxBacklog, long maxOperations) {}

    /**
     * Which shard an operation lands on: a jump consistent hash of one bound parameter over {@code shards},
     * or, with {@code citusTable}, the Citus shard holding that distribution value.
     */
    public record ShardSpec(String key, int shards, String citusTable) {
        public String method() {
            return citusTable == null ? "jump hash" : "Citus shards of " + citusTable;
        }
    }

    /**
     * The success criteria; each becomes one row of the step's evidence.
     *
     * @param p95 a limit per operation name or per class (read, write)
     */
    public record Slos(Map<String, Duration> p95, Map<String, Duration> p99, Double maxErrorRate, Long maxDeadlocks,
            Long maxSerializationFailures, Double maxShardShare, Map<String, Long> expectedErrorsAtLeast, Double minAchievedRateRatio) {
        public boolean isEmpty() {
            return p95.isEmpty() && p99.isEmpty() && maxErrorRate == null && maxDeadlocks == null && maxSerializationFailures == null
                    && maxShardShare == null && expectedErrorsAtLeast.isEmpty() && minAchievedRateRatio == null;
        }
    }
}
