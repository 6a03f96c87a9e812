package io.pgrunbook.steps.citus;

/**
 * The statements of {@code citus.rebalance}, against Citus 11.1+ (the background rebalancer:
 * citus_rebalance_start/status/stop, pg_dist_background_job and _task). Values are always bound.
 */
final class RebalanceSql {
    private RebalanceSql() {}

    /** Jobs that still hold the rebalancer: Citus refuses a second one while any is in these states. */
    static final String ACTIVE_JOB = """
            SELECT job_id, state::text AS state, started_at
            FROM pg_dist_background_job
            WHERE job_type = 'rebalance' AND state IN ('scheduled', 'running', 'cancelling', 'failing')
            ORDER BY job_id DESC LIMIT 1
            """;

    /**
     * The moves the rebalancer would make, each with its shard's size (the by_shard_count strategy
     * leaves the plan's own shard_size at 0). Parameters: threshold, drain_only, strategy.
     */
    static final String PLAN = """
            SELECT p.table_name::text AS table_name, p.shardid,
                   coalesce((SELECT max(s.shard_size) FROM citus_shards s WHERE s.shardid = p.shardid), p.shard_size) AS bytes,
                   p.sourcename || ':' || p.sourceport AS from_node,
                   p.targetname || ':' || p.targetport AS to_node
            FROM get_rebalance_table_shards_plan(threshold := ?::real, drain_only := ?, rebalance_strategy := ?::name) p
            """;

    /** Whether the node to drain still takes shards (then the plan does not yet move anything off it). */
    static final String NODE_TAKES_SHARDS = """
            SELECT shouldhaveshards FROM pg_dist_node WHERE nodename = ? AND nodeport = ? AND noderole = 'primary'
            """;

    /** The distributed shards a drain would move off the node (reference tables stay on every node). */
    static final String ON_NODE = """
            SELECT table_name::text AS table_name, shardid, shard_size AS bytes, nodename || ':' || nodeport AS from_node
            FROM citus_shards
            WHERE nodename = ? AND nodeport = ? AND citus_table_type = 'distributed'
            ORDER BY shardid
            """;

    static final String MARK_DRAIN = "SELECT citus_set_node_property(?, ?, 'shouldhaveshards', false)";

    /** Parameters: strategy, drain_only, shard_transfer_mode. Returns the job id, NULL when nothing is to move. */
    static final String START = """
            SELECT citus_rebalance_start(rebalance_strategy := ?::name, drain_only := ?,
                                         shard_transfer_mode := ?::citus.shard_transfer_mode)
            """;

    static final String JOB = """
            SELECT job_id, state::text AS state, started_at, finished_at,
                   round(extract(epoch FROM (coalesce(finished_at, now()) - started_at)))::bigint AS seconds
            FROM pg_dist_background_job WHERE job_id = ?
            """;

    static final String LATEST_JOB = """
            SELECT job_id, state::text AS state, started_at, finished_at,
                   round(extract(epoch FROM (coalesce(finished_at, now()) - started_at)))::bigint AS seconds
            FROM pg_dist_background_job WHERE job_type = 'rebalance' ORDER BY job_id DESC LIMIT 1
            """;

    static final String TASK_COUNTS = """
            SELECT count(*) FILTER (WHERE status = 'done') AS done, count(*) AS total,
                   count(*) FILTER (WHERE status = 'running') AS running
            FROM pg_dist_background_task WHERE job_id = ?
            """;

    /** Bytes of the moves under way now (get_rebalance_progress() reads the movers' shared memory). */
    static final String BYTES_MOVING = """
            SELECT coalesce(sum(target_shard_size), 0) AS copied, coalesce(sum(source_shard_size), 0) AS total
            FROM get_rebalance_progress() WHERE progress = 1
            """;

    /**
     * The job's tasks as moves: the shard, its table and the two nodes, read from the command Citus
     * scheduled (citus_move_shard_placement(shardid, source nodeid, target nodeid, mode)); a task of
     * another kind (copying reference tables) shows its command instead.
     */
    static final String TASKS = """
            SELECT t.task_id, t.status::text AS status,
                   coalesce(s.logicalrelid::regclass::text, t.command) AS table_name,
                   m[1]::bigint AS shardid,
                   (SELECT max(cs.shard_size) FROM citus_shards cs WHERE cs.shardid = m[1]::bigint) AS bytes,
                   sn.nodename || ':' || sn.nodeport AS from_node,
                   tn.nodename || ':' || tn.nodeport AS to_node,
                   nullif(btrim(t.message, E' \\n'), 'SELECT 1') AS message
            FROM pg_dist_background_task t
            LEFT JOIN LATERAL regexp_match(t.command, 'citus_move_shard_placement\\((\\d+),\\s*(\\d+),\\s*(\\d+)') m ON true
            LEFT JOIN pg_dist_shard s ON s.shardid = m[1]::bigint
            LEFT JOIN pg_dist_node sn ON sn.nodeid = m[2]::int
            LEFT JOIN pg_dist_node tn ON tn.nodeid = m[3]::int
            WHERE t.job_id = ?
            ORDER BY t.task_id
            """;

    /** The job's task that failed most often and is waiting to be retried by Citus (with backoff), with its error. */
    static final String RETRYING_TASK = """
            SELECT t.task_id, coalesce(t.retry_count, 0) AS failures, btrim(t.message, E' \\n') AS message,
                   (regexp_match(t.command, 'citus_move_shard_placement\\((\\d+)'))[1] AS shardid
            FROM pg_dist_background_task t
            WHERE t.job_id = ? AND t.status = 'runnable' AND coalesce(t.retry_count, 0) > 0
            ORDER BY t.retry_count DESC, t.task_id LIMIT 1
            """;

    static final String STOP = "SELECT citus_rebalance_stop()";

    /** Drops what finished moves left behind (the old placements), which Citus otherwise drops later. */
    static final String CLEANUP = "CALL citus_cleanup_orphaned_resources()";
}
