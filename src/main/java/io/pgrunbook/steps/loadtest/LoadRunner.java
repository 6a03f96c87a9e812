package io.pgrunbook.steps.loadtest;

import io.pgrunbook.db.JdbcValues;
import io.pgrunbook.db.SqlStates;
import io.pgrunbook.runbook.sql.NamedSql;
import io.pgrunbook.steps.loadtest.Scenario.Model;
import io.pgrunbook.steps.loadtest.Scenario.Operation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Runs a scenario's workload on dedicated connections, one per worker thread.
 *
 * <p>Open model: this thread computes intended start times and queues them; a worker takes the next
 * start when it is free, and latency is measured from the intended time, so a start that queued
 * behind a slow operation carries its wait (no coordinated omission). A start finding the backlog
 * full, or still waiting when the run ends, is a missed start. Closed model: each worker runs
 * operations back to back. Each worker keeps its own histograms, merged at the end.
 */
final class LoadRunner {
    /** An operation failing this many times with no success at all is broken SQL, not load: stop. */
    static final int FAIL_FAST_AFTER = 20;

    @FunctionalInterface
    interface ConnectionSource {
        Connection open() throws SQLException;
    }

    private record Start(long intendedNanos, long sequence) {}

    private final Scenario scenario;
    private final ConnectionSource connections;
    private final BooleanSupplier cancelled;
    private final List<Operation> ops;
    private final double[] cumulativeWeights;
    private final AtomicLongArray okCounts;
    private final AtomicLongArray failCounts;
    private final AtomicReference<String> abort = new AtomicReference<>();
    private final AtomicLong started = new AtomicLong();
    private volatile boolean connectionLost;
    private volatile boolean stopping;
    private long measureStart;
    private long end;

    private final Timeline timeline = new Timeline();
    private final java.util.function.Consumer<String> progress;
    private ShardAttribution shardAttribution;

    LoadRunner(Scenario scenario, ConnectionSource connections, BooleanSupplier cancelled) {
        this(scenario, connections, cancelled, null);
    }

    /** @param progress receives a one-line summary once a second (null: no progress) */
    LoadRunner(Scenario scenario, ConnectionSource connections, BooleanSupplier cancelled, java.util.function.Consumer<String> progress) {
        this.progress = progress;
        this.scenario = scenario;
        this.connections = connections;
        this.cancelled = cancelled;
        this.ops = scenario.operations();
        cumulativeWeights = new double[ops.size()];
        double sum = 0;
        for (int i = 0; i < ops.size(); i++) {
            sum += ops.get(i).weight();
            cumulativeWeights[i] = sum;
        }
        okCounts = new AtomicLongArray(ops.size());
        failCounts = new AtomicLongArray(ops.size());
    }

    /** The index of the operation a uniform draw in [0, 1) picks, by weight. */
    static int pick(double[] cumulativeWeights, double u) {
        double x = u * cumulativeWeights[cumulativeWeights.length - 1];
        for (int i = 0; i < cumulativeWeights.length; i++) {
            if (x < cumulativeWeights[i]) {
                return i;
            }
        }
        return cumulativeWeights.length - 1;
    }

    LoadResult run() throws SQLException, InterruptedException {
        var w = scenario.workload();
        List<Worker> workers = new ArrayList<>();
        try {
            for (int i = 0; i < w.connections(); i++) {
                workers.add(new Worker(i, connections.open()));
            }
            if (scenario.shard() != null) {
                shardAttribution = ShardAttribution.of(scenario.shard(), workers.get(0).connection);
            }
            long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            measureStart = t0 + w.warmup().toNanos();
            end = measureStart + w.duration().toNanos();
            long[] missed = new long[1];
            Thread sampler = timeline.startSampler(t0, measureStart, () -> !stopping, progress);
            long scheduled;
            try {
                scheduled = w.model() == Model.OPEN ? runOpen(workers, t0, missed) : runClosed(workers, t0);
            } finally {
                stopping = true;
                sampler.join();
            }
            long stoppedAt = Math.min(System.nanoTime(), end);
            List<Timeline.Point> points = timeline.finish(System.nanoTime(), measureStart);
            Map<String, OpTally> merged = new LinkedHashMap<>();
            ops.forEach(o -> merged.put(o.name(), new OpTally()));
            Map<String, Long> shards = new java.util.TreeMap<>(LoadRunner::shardOrder);
            for (Worker worker : workers) {
                for (int i = 0; i < ops.size(); i++) {
                    merged.get(ops.get(i).name()).add(worker.tallies[i]);
                }
                worker.shards.forEach((k, v) -> shards.merge(k, v[0], Long::sum));
            }
            Duration measured = Duration.ofNanos(Math.max(0, (abort.get() == null ? end : stoppedAt) - measureStart));
            return new LoadResult(merged, shards, shardAttribution == null ? 0 : shardAttribution.shards(), scheduled, missed[0], measured,
                    w.ratePerSecond(), abort.get(), connectionLost, points);
        } finally {
            for (Worker worker : workers) {
                worker.close();
            }
        }
    }

    /** Shard names sort as numbers when they are numbers (jump-hash buckets, Citus shard ids). */
    private static int shardOrder(String a, String b) {
        if (a.matches("\\d{1,18}") && b.matches("\\d{1,18}")) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        return a.compareTo(b);
    }

    private long runOpen(List<Worker> workers, long t0, long[] missed) throws InterruptedException {
        var w = scenario.workload();
        BlockingQueue<Start> queue = new ArrayBlockingQueue<>(w.maxBacklog());
        List<Thread> threads = new ArrayList<>();
        for (Worker worker : workers) {
            threads.add(start("pgrunbook-loadtest-" + worker.index, () -> worker.serve(queue)));
        }
        ArrivalSchedule schedule = new ArrivalSchedule(w.ratePerSecond(), w.arrivals(), t0, w.rampUp().toNanos(), scenario.seed());
        long scheduled = 0;
        long sequence = 0;
        try {
            while (abort.get() == null && !cancelled.getAsBoolean() && sequence < w.maxOperations()) {
                long intended = schedule.next();
                if (intended >= end) {
                    break;
                }
                waitUntil(intended);
                boolean measured = intended >= measureStart;
                scheduled += measured ? 1 : 0;
                if (!queue.offer(new Start(intended, sequence++)) && measured) {
                    missed[0]++;
                }
            }
            if (cancelled.getAsBoolean()) {
                abort.compareAndSet(null, "cancelled");
            }
        } finally {
            stopping = true;
            for (Thread t : threads) {
                t.join();
            }
        }
        // Starts still queued when the run ended never happened: they are missed, not silently gone.
        for (Start s : queue) {
            missed[0] += s.intendedNanos() >= measureStart ? 1 : 0;
        }
        return scheduled;
    }

    private long runClosed(List<Worker> workers, long t0) throws InterruptedException {
        var w = scenario.workload();
        List<Thread> threads = new ArrayList<>();
        for (Worker worker : workers) {
            long begin = t0 + (w.connections() <= 1 ? 0 : w.rampUp().toNanos() * worker.index / w.connections());
            threads.add(start("pgrunbook-loadtest-" + worker.index, () -> worker.loop(begin)));
        }
        try {
            while (abort.get() == null && System.nanoTime() < end && !allDone(threads)) {
                if (cancelled.getAsBoolean()) {
                    abort.compareAndSet(null, "cancelled");
                }
                Thread.sleep(20);
            }
        } finally {
            stopping = true;
            for (Thread t : threads) {
                t.join();
            }
        }
        return 0;
    }

    private static Thread start(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static boolean allDone(List<Thread> threads) {
        return threads.stream().noneMatch(Thread::isAlive);
    }

    private static void waitUntil(long nanos) {
        long now;
        while ((now = System.nanoTime()) < nanos) {
            LockSupport.parkNanos(nanos - now);
        }
    }

    private final class Worker {
        final int index;
        final Connection connection;
        final SplittableRandom random;
        final OpTally[] tallies = new OpTally[ops.size()];
        final Map<String, long[]> shards = new HashMap<>();
        final Map<NamedSql, PreparedStatement> statements = new IdentityHashMap<>();

        Worker(int index, Connection connection) {
            this.index = index;
            this.connection = connection;
            this.random = new SplittableRandom(scenario.seed() * 31 + index);
            for (int i = 0; i < tallies.length; i++) {
                tallies[i] = new OpTally();
            }
        }

        void serve(BlockingQueue<Start> queue) {
            try {
                while (abort.get() == null) {
                    Start s = queue.poll(20, TimeUnit.MILLISECONDS);
                    if (s == null) {
                        if (stopping) {
                            return;
                        }
                        continue;
                    }
                    if (stopping) {
                        queue.offer(s); // counted as missed by the scheduler
                        return;
                    }
                    execute(s.intendedNanos(), s.sequence());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void loop(long begin) {
            waitUntil(begin);
            long limit = scenario.workload().maxOperations();
            while (abort.get() == null && !stopping && System.nanoTime() < end && started.get() < limit) {
                execute(System.nanoTime(), random.nextLong(Long.MAX_VALUE));
            }
        }

        void execute(long intended, long sequence) {
            started.incrementAndGet();
            int opIndex = pick(cumulativeWeights, random.nextDouble());
            Operation op = ops.get(opIndex);
            var scope = scenario.scope();
            long slot = Math.floorMod(sequence, (long) scope.totalInstalls());
            Map<String, Object> vars = new HashMap<>();
            vars.put("tenant", slot / scope.installs() + 1);
            vars.put("install", slot % scope.installs() + 1);
            vars.put("namespace", (long) random.nextInt(scope.namespaces()) + 1);
            op.params().forEach((name, generator) -> vars.put(name, generator.next(random)));
            boolean measured = intended >= measureStart && intended < end;
            OpTally tally = tallies[opIndex];
            try {
                runChain(op, vars);
                long micros = (System.nanoTime() - intended) / 1000;
                okCounts.incrementAndGet(opIndex);
                timeline.record(micros);
                if (measured) {
                    tally.ok++;
                    tally.recordLatency(micros);
                }
            } catch (SQLException e) {
                long micros = (System.nanoTime() - intended) / 1000;
                String state = SqlStates.state(e);
                String message = SqlStates.describe(e);
                boolean expected = op.expectedErrors().stream().anyMatch(x -> x.matches(state, message));
                if (expected) {
                    okCounts.incrementAndGet(opIndex);
                    timeline.record(micros);
                    if (measured) {
                        tally.expected(state, micros);
                    }
                } else {
                    timeline.error();
                    if (measured) {
                        tally.error(state.isEmpty() ? "none" : state, message);
                    }
                    failed(opIndex, op, e, state, message);
                }
            }
            if (measured && shardAttribution != null) {
                attribute(vars.get(shardAttribution.key()));
            }
        }

        /**
         * Counts the operation on its shard. A key the Citus lookup cannot map stops the run with the reason:
         * counting it on no shard would make every share, and the hot-shard verdict, wrong.
         */
        private void attribute(Object key) {
            String shard;
            try {
                shard = shardAttribution.shardOf(key, connection);
            } catch (SQLException e) {
                abort.compareAndSet(null, shardAttribution.cannotMap(key, e));
                return;
            }
            shards.computeIfAbsent(shard, k -> new long[1])[0]++;
        }

        private void failed(int opIndex, Operation op, SQLException e, String state, String message) {
            if (SqlStates.isConnectionLost(e) || isClosed()) {
                connectionLost = true;
                abort.compareAndSet(null, "lost the connection to the server during operation '" + op.name() + "': " + message
                        + " (SQLSTATE " + state + ")");
                return;
            }
            long failures = failCounts.incrementAndGet(opIndex);
            if (failures >= FAIL_FAST_AFTER && okCounts.get(opIndex) == 0) {
                abort.compareAndSet(null, "operation '" + op.name() + "' failed on each of its first " + failures + " calls: " + message
                        + " (SQLSTATE " + state + "); fix its SQL or list the error under expect_errors");
            }
        }

        private boolean isClosed() {
            try {
                return connection.isClosed();
            } catch (SQLException e) {
                return true;
            }
        }

        private void runChain(Operation op, Map<String, Object> vars) throws SQLException {
            if (op.transaction()) {
                connection.setAutoCommit(false);
            }
            try {
                for (NamedSql sql : op.chain()) {
                    PreparedStatement ps = statements.get(sql);
                    if (ps == null) {
                        ps = connection.prepareStatement(sql.jdbcSql());
                        statements.put(sql, ps);
                    }
                    List<String> names = sql.parameters();
                    for (int i = 0; i < names.size(); i++) {
                        JdbcValues.bind(connection, ps, i + 1, vars.get(names.get(i)));
                    }
                    drain(ps);
                }
                if (op.transaction()) {
                    connection.commit();
                }
            } catch (SQLException e) {
                if (op.transaction()) {
                    try {
                        connection.rollback();
                    } catch (SQLException ignored) {
                        // The statement's error is what counts; a dead connection is reported by it.
                    }
                }
                throw e;
            } finally {
                if (op.transaction() && !connection.isClosed()) {
                    connection.setAutoCommit(true);
                }
            }
        }

        /** Reads every row, as a client would, without keeping any. */
        private static void drain(PreparedStatement ps) throws SQLException {
            boolean rows = ps.execute();
            while (true) {
                if (rows) {
                    try (ResultSet rs = ps.getResultSet()) {
                        int columns = rs.getMetaData().getColumnCount();
                        while (rs.next()) {
                            for (int c = 1; c <= columns; c++) {
                                rs.getBytes(c);
                            }
                        }
                    }
                } else if (ps.getUpdateCount() == -1) {
                    return;
                }
                rows = ps.getMoreResults();
            }
        }

        void close() {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Closing a connection the server already dropped.
            }
        }
    }
}
