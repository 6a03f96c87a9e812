package io.pgrunbook.steps.citus;

/**
 * The catalog queries of the citus.* step types, against the Citus 12/13 metadata on the coordinator
 * (pg_dist_partition, pg_dist_shard, pg_dist_placement, pg_dist_node, pg_dist_cleanup) and the
 * functions that reach the workers through it (run_command_on_all_nodes, master_run_on_worker).
 * Values are always bound; identifiers that reach a worker are quoted by the server (format %I, regclass).
 */
final class CitusSql {
    private CitusSql() {}

    /** pg_available_extensions reads the extension directory: asked only when citus is not created here (every step asks this). */
    static final String CITUS_PRESENCE = """
            SELECT e.extversion AS installed,
                   CASE WHEN e.extversion IS NULL THEN (SELECT default_version FROM pg_available_extensions WHERE name = 'citus') END AS available,
                   current_database() AS database
            FROM (SELECT (SELECT extversion FROM pg_extension WHERE extname = 'citus') AS extversion) e
            """;

    /**
     * Every distributed table: hash-distributed, or single-shard (schema-based sharding); not reference
     * tables (partmethod 'n', repmodel 't') and not Citus local tables (partmethod 'n', no colocation).
     */
    static final String ALL_DISTRIBUTED_TABLES = """
            SELECT logicalrelid::regclass::text
            FROM pg_dist_partition
            WHERE NOT (partmethod = 'n' AND (repmodel = 't' OR colocationid = 0))
            ORDER BY 1
            """;

    static final String RESOLVE_TABLES = """
            SELECT t.name,
                   to_regclass(t.name) IS NOT NULL AS exists,
                   p.logicalrelid IS NOT NULL AS citus_table,
                   p.logicalrelid::regclass::text AS qualified
            FROM unnest(?::text[]) WITH ORDINALITY AS t(name, ord)
            LEFT JOIN pg_dist_partition p ON p.logicalrelid = to_regclass(t.name)
            ORDER BY t.ord
            """;

    static final String DISTRIBUTION = """
            SELECT p.logicalrelid::regclass::text AS table_name,
                   p.partmethod::text AS partmethod,
                   p.repmodel::text AS repmodel,
                   p.colocationid,
                   CASE WHEN p.partkey IS NOT NULL THEN column_to_column_name(p.logicalrelid, p.partkey) END AS distribution_column,
                   (SELECT count(*) FROM pg_dist_shard s WHERE s.logicalrelid = p.logicalrelid) AS shards
            FROM unnest(?::text[]) WITH ORDINALITY AS t(name, ord)
            JOIN pg_dist_partition p ON p.logicalrelid = to_regclass(t.name)
            ORDER BY t.ord
            """;

    /** Reference tables among the given ones, or in the whole database when the array is empty. */
    static final String REFERENCE_TABLES = """
            SELECT p.logicalrelid::regclass::text AS table_name
            FROM pg_dist_partition p
            WHERE p.partmethod = 'n' AND p.repmodel = 't'
              AND (cardinality(?::text[]) = 0 OR p.logicalrelid IN (SELECT to_regclass(x) FROM unnest(?::text[]) x))
            ORDER BY 1
            """;

    /**
     * Every placement problem of the given tables: a placement on a group with no primary node, on an
     * inactive node, in a state other than 1; a shard with no placement on an active primary; hash
     * ranges with a gap, an overlap, or not reaching the ends of the int4 hash space.
     */
    static final String PLACEMENT_PROBLEMS = """
            WITH tables AS (
                SELECT to_regclass(x) AS rel FROM unnest(?::text[]) x
            ), shards AS (
                SELECT s.logicalrelid, s.shardid, p.partmethod,
                       s.shardminvalue, s.shardmaxvalue
                FROM pg_dist_shard s
                JOIN tables t ON t.rel = s.logicalrelid
                JOIN pg_dist_partition p ON p.logicalrelid = s.logicalrelid
            ), placed AS (
                SELECT sh.logicalrelid, sh.shardid, pl.placementid, pl.shardstate, pl.groupid,
                       n.nodename || ':' || n.nodeport AS node, n.isactive
                FROM shards sh
                JOIN pg_dist_placement pl ON pl.shardid = sh.shardid
                LEFT JOIN pg_dist_node n ON n.groupid = pl.groupid AND n.noderole = 'primary'
            ), ranges AS (
                SELECT logicalrelid, shardid,
                       shardminvalue::bigint AS lo, shardmaxvalue::bigint AS hi,
                       lag(shardmaxvalue::bigint) OVER w AS prev_hi,
                       row_number() OVER w AS n,
                       count(*) OVER (PARTITION BY logicalrelid) AS total
                FROM shards
                WHERE partmethod = 'h'
                WINDOW w AS (PARTITION BY logicalrelid ORDER BY shardminvalue::bigint, shardmaxvalue::bigint)
            )
            SELECT logicalrelid::regclass::text AS table_name, shardid, 'group ' || groupid AS node,
                   'placement ' || placementid || ' is on node group ' || groupid || ', which has no primary node in pg_dist_node' AS problem
            FROM placed WHERE node IS NULL
            UNION ALL
            SELECT logicalrelid::regclass::text, shardid, node,
                   'placement ' || placementid || ' is on an inactive node' FROM placed WHERE node IS NOT NULL AND NOT isactive
            UNION ALL
            SELECT logicalrelid::regclass::text, shardid, node,
                   'placement ' || placementid || ' has shardstate ' || shardstate || ' (1 = active)' FROM placed WHERE shardstate <> 1
            UNION ALL
            SELECT sh.logicalrelid::regclass::text, sh.shardid, NULL,
                   'no placement on an active primary node'
            FROM shards sh
            WHERE NOT EXISTS (SELECT 1 FROM placed p WHERE p.shardid = sh.shardid AND p.isactive AND p.shardstate = 1)
            UNION ALL
            SELECT logicalrelid::regclass::text, shardid, NULL,
                   'hash range starts at ' || lo || ', not -2147483648: values below it belong to no shard'
            FROM ranges WHERE n = 1 AND lo <> -2147483648
            UNION ALL
            SELECT logicalrelid::regclass::text, shardid, NULL,
                   'hash range ends at ' || hi || ', not 2147483647: values above it belong to no shard'
            FROM ranges WHERE n = total AND hi <> 2147483647
            UNION ALL
            SELECT logicalrelid::regclass::text, shardid, NULL,
                   CASE WHEN lo > prev_hi + 1 THEN 'gap in the hash range: ' || (prev_hi + 1) || ' to ' || (lo - 1) || ' belong to no shard'
                        ELSE 'hash range ' || lo || '..' || hi || ' overlaps the previous shard (which ends at ' || prev_hi || ')' END
            FROM ranges WHERE n > 1 AND lo <> prev_hi + 1
            UNION ALL
            SELECT logicalrelid::regclass::text, shardid, NULL, 'hash range ' || lo || '..' || hi || ' is empty (min > max)'
            FROM ranges WHERE lo > hi
            UNION ALL
            SELECT t.rel::regclass::text, NULL, NULL, 'has no shards in pg_dist_shard'
            FROM tables t WHERE NOT EXISTS (SELECT 1 FROM shards s WHERE s.logicalrelid = t.rel)
            ORDER BY 1, 2
            """;

    /** The seed's shard health check, for every given table: shards, placements and the nodes holding them. */
    static final String PLACEMENT_SUMMARY = """
            SELECT s.logicalrelid::regclass::text AS table_name,
                   count(DISTINCT s.shardid) AS shards,
                   count(pl.placementid) AS placements,
                   string_agg(DISTINCT n.nodename || ':' || n.nodeport, ', ') AS nodes
            FROM pg_dist_shard s
            LEFT JOIN pg_dist_placement pl ON pl.shardid = s.shardid
            LEFT JOIN pg_dist_node n ON n.groupid = pl.groupid AND n.noderole = 'primary'
            WHERE s.logicalrelid IN (SELECT to_regclass(x) FROM unnest(?::text[]) x)
            GROUP BY 1
            ORDER BY 1
            """;

    /** Every shard placement the metadata records on an active primary node, with the shard's relation name. */
    static final String EXPECTED_SHARD_TABLES = """
            SELECT n.nodeid, n.nodename || ':' || n.nodeport AS node,
                   s.logicalrelid::regclass::text AS table_name, s.shardid,
                   ns.nspname AS schema_name,
                   (parse_ident(shard_name(s.logicalrelid, s.shardid)))[cardinality(parse_ident(shard_name(s.logicalrelid, s.shardid)))] AS shard_relname
            FROM pg_dist_shard s
            JOIN pg_class c ON c.oid = s.logicalrelid
            JOIN pg_namespace ns ON ns.oid = c.relnamespace
            JOIN pg_dist_placement pl ON pl.shardid = s.shardid
            JOIN pg_dist_node n ON n.groupid = pl.groupid AND n.noderole = 'primary' AND n.isactive
            ORDER BY n.nodeid, s.shardid
            """;

    /** The Citus tables (schema, name): a relation on a node named NAME_<digits> in SCHEMA is a shard of one. */
    static final String CITUS_TABLE_NAMES = """
            SELECT ns.nspname, c.relname
            FROM pg_dist_partition p
            JOIN pg_class c ON c.oid = p.logicalrelid
            JOIN pg_namespace ns ON ns.oid = c.relnamespace
            """;

    /**
     * On every node: the relations whose name ends in _digits (shard names), as [schema, name] pairs.
     * Citus hides shards from pg_class for ordinary sessions; this runs in the Citus internal session
     * that run_command_on_all_nodes opens, which sees them.
     */
    static final String NODE_SHARD_LIKE_TABLES = """
            SELECT n.nodeid, n.nodename || ':' || n.nodeport AS node, r.success, r.result
            FROM run_command_on_all_nodes($cmd$
                SELECT coalesce(json_agg(json_build_array(n.nspname, c.relname)), '[]')
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'f') AND c.relname ~ '_[0-9]+$'
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'citus', 'columnar', 'columnar_internal')
            $cmd$) r
            JOIN pg_dist_node n ON n.nodeid = r.nodeid
            ORDER BY n.nodeid
            """;

    static final String PENDING_CLEANUP = """
            SELECT record_id, operation_id, object_type, object_name, node_group_id, policy_type
            FROM pg_dist_cleanup
            ORDER BY record_id
            """;

    /**
     * One cheap query on every placement of a table, timed on the node that runs it: the CTE is read
     * before the outer row computes clock_timestamp().
     */
    /**
     * Every placement of the given tables, with its shard's relation as the server quotes it
     * (shard_name: schema-qualified, long names hashed as Citus does), grouped by node.
     */
    static final String SMOKE_PLACEMENTS = """
            SELECT s.logicalrelid::regclass::text AS table_name, s.shardid, n.nodename, n.nodeport,
                   shard_name(s.logicalrelid, s.shardid) AS shard_relation
            FROM unnest(?::text[]) AS t(name)
            JOIN pg_dist_shard s ON s.logicalrelid = to_regclass(t.name)
            JOIN pg_dist_placement p ON p.shardid = s.shardid
            JOIN pg_dist_node n ON n.groupid = p.groupid AND n.noderole = 'primary'
            ORDER BY n.nodename, n.nodeport, s.shardid
            """;

    /** One command per node (arrays of node names, ports and commands), the nodes in parallel. */
    static final String RUN_ON_NODES = """
            SELECT node_name, node_port, success, result
            FROM master_run_on_worker(?::text[], ?::int[], ?::text[], true)
            """;

    /**
     * The probe of one placement: a SELECT 1 ... LIMIT 1, timed on the node. Used alone (one placement) or
     * as a branch of a node's batch, where each branch stamps the time it finished (Append runs them in order).
     */
    static final String SMOKE_PROBE = "SELECT %d AS ord, clock_timestamp() AS done FROM (SELECT count(*) FROM (SELECT 1 FROM %s LIMIT 1) one) probe";

    /** A node's batch: every probe in order, each one's milliseconds since the previous finished (as JSON). */
    static final String SMOKE_BATCH = """
            SELECT coalesce(json_agg(json_build_array(ord, round(ms::numeric, 3)) ORDER BY ord), '[]')
            FROM (SELECT ord, extract(epoch FROM done - lag(done, 1, statement_timestamp()) OVER (ORDER BY ord)) * 1000 AS ms
                  FROM (%s) probes) timed
            """;

    /** The connection timeout of Citus's own connections to the nodes, for this transaction only. */
    static final String NODE_CONNECTION_TIMEOUT = "SELECT set_config('citus.node_connection_timeout', ?, true)";

    /** Every active primary node answers SELECT 1 (all nodes in parallel, within citus.node_connection_timeout). */
    static final String NODE_PROBE = """
            SELECT n.nodename || ':' || n.nodeport AS node, CASE WHEN n.groupid = 0 THEN 'coordinator' ELSE 'worker' END AS role,
                   r.success, r.result
            FROM pg_dist_node n
            LEFT JOIN run_command_on_all_nodes('SELECT 1') r ON r.nodeid = n.nodeid
            WHERE n.isactive AND n.noderole = 'primary'
            ORDER BY n.nodeid
            """;

    static final String NODE_HEALTH = """
            SELECT from_nodename || ':' || from_nodeport AS from_node,
                   to_nodename || ':' || to_nodeport AS to_node,
                   result
            FROM citus_check_cluster_node_health()
            ORDER BY 1, 2
            """;

    /**
     * Every node's Citus and PostgreSQL versions and, checked by the node itself, whether it reaches each active
     * primary node (citus_check_connection_to_node): all nodes at once, where citus_check_cluster_node_health()
     * checks one pair after another.
     */
    static final String NODE_VERSIONS = """
            SELECT n.nodeid, n.nodename || ':' || n.nodeport AS node, n.noderole::text AS role, n.isactive,
                   r.success, r.result
            FROM pg_dist_node n
            LEFT JOIN run_command_on_all_nodes($cmd$
                SELECT json_build_object('citus', (SELECT extversion FROM pg_extension WHERE extname = 'citus'),
                                         'server', current_setting('server_version'),
                                         'server_num', current_setting('server_version_num')::int,
                                         'reaches', (SELECT coalesce(json_agg(json_build_array(nodename || ':' || nodeport,
                                                            citus_check_connection_to_node(nodename, nodeport)) ORDER BY nodeid), '[]')
                                                     FROM pg_dist_node WHERE isactive AND noderole = 'primary'))
            $cmd$) r ON r.nodeid = n.nodeid
            ORDER BY n.nodeid
            """;

    /**
     * Bytes and shards per active primary node that should hold shards, the given tables only; a node
     * with none still appears (with 0), or an empty node would hide the skew it causes. Reference tables
     * are left out (a full copy on every node, the coordinator included, is no skew), so a coordinator
     * that takes no shards is not counted in the mean.
     */
    static final String SKEW = """
            WITH tables AS (
                SELECT to_regclass(x) AS rel FROM unnest(?::text[]) x
            ), sizes AS (
                SELECT cs.nodename, cs.nodeport, cs.shardid, cs.shard_size
                FROM citus_shards cs
                WHERE cs.table_name IN (SELECT rel FROM tables) AND cs.citus_table_type = 'distributed'
            )
            SELECT n.nodename || ':' || n.nodeport AS node,
                   count(DISTINCT s.shardid) AS shards,
                   coalesce(sum(s.shard_size), 0)::bigint AS bytes
            FROM pg_dist_node n
            LEFT JOIN sizes s ON s.nodename = n.nodename AND s.nodeport = n.nodeport
            WHERE n.isactive AND n.noderole = 'primary' AND (n.shouldhaveshards OR s.shardid IS NOT NULL)
            GROUP BY 1
            ORDER BY 1
            """;

    /** The given tables with their distribution column, its type, colocation and the shard a key maps to. */
    static final String ROUTER_TABLES = """
            SELECT p.logicalrelid::regclass::text AS table_name, p.colocationid,
                   p.partmethod::text AS partmethod, p.repmodel::text AS repmodel,
                   a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS column_type, t.typcategory::text AS category,
                   CASE WHEN a.attname IS NOT NULL
                        THEN format('UPDATE %s SET %I = %I WHERE %I = ?::%s', p.logicalrelid::regclass, a.attname, a.attname, a.attname,
                                    format_type(a.atttypid, a.atttypmod)) END AS statement
            FROM unnest(?::text[]) WITH ORDINALITY AS x(name, ord)
            JOIN pg_dist_partition p ON p.logicalrelid = to_regclass(x.name)
            LEFT JOIN pg_attribute a ON a.attrelid = p.logicalrelid
                  AND a.attname = CASE WHEN p.partkey IS NOT NULL THEN column_to_column_name(p.logicalrelid, p.partkey) END
            LEFT JOIN pg_type t ON t.oid = a.atttypid
            ORDER BY x.ord
            """;

    static final String SHARD_FOR_KEY = """
            SELECT s.shardid, (SELECT count(*) FROM pg_dist_shard s2 WHERE s2.logicalrelid = s.logicalrelid
                                 AND s2.shardminvalue::bigint < s.shardminvalue::bigint) AS shard_index,
                   (SELECT string_agg(n.nodename || ':' || n.nodeport, ', ') FROM pg_dist_placement pl
                      JOIN pg_dist_node n ON n.groupid = pl.groupid AND n.noderole = 'primary' WHERE pl.shardid = s.shardid) AS nodes
            FROM pg_dist_shard s
            WHERE s.shardid = get_shard_id_for_distribution_column(?::regclass, ?)
            """;

    static final String LOG_REMOTE_COMMANDS = "SELECT set_config('citus.log_remote_commands', 'on', true), set_config('client_min_messages', 'notice', true)";
}
