package io.pgrunbook.steps.shardmove;

import io.pgrunbook.steps.shardset.ShardTable;

/**
 * The statements of a move. Table and column names cannot be bind parameters: only the forms the
 * server resolved and quoted ({@code regclass::text}, {@code quote_ident}, {@code format('%L')}) are
 * put into statement text, through {@link #on}.
 */
final class MoveSql {
    private MoveSql() {}

    // --- state, on the new shard -------------------------------------------------------------
    static final String STATE_SCHEMA = """
            CREATE SCHEMA IF NOT EXISTS pgrunbook;
            CREATE TABLE IF NOT EXISTS pgrunbook.shard_move (
              id bigserial PRIMARY KEY,
              signature text NOT NULL,
              phase text NOT NULL,
              message text,
              started_at timestamptz NOT NULL DEFAULT now(),
              updated_at timestamptz NOT NULL DEFAULT now(),
              copy_started_at timestamptz,
              map_written_at timestamptz,
              finished_at timestamptz);
            CREATE TABLE IF NOT EXISTS pgrunbook.shard_move_batch (
              move_id bigint NOT NULL REFERENCES pgrunbook.shard_move ON DELETE CASCADE,
              source text NOT NULL,
              batch_no int NOT NULL,
              keys text[] NOT NULL,
              planned_rows bigint NOT NULL,
              copied_rows bigint,
              done_at timestamptz,
              PRIMARY KEY (move_id, source, batch_no));
            CREATE TABLE IF NOT EXISTS pgrunbook.shard_map (
              version bigint PRIMARY KEY,
              shard_count int NOT NULL,
              shards text[] NOT NULL,
              hash text NOT NULL,
              written_at timestamptz NOT NULL DEFAULT now())""";
    static final String STATE_EXISTS = "SELECT to_regclass('pgrunbook.shard_move') IS NOT NULL";
    static final String ACTIVE_MOVE = """
            SELECT id, signature, phase, message, started_at, copy_started_at, map_written_at,
                   extract(epoch FROM now() - coalesce(copy_started_at, started_at))::float8 AS seconds
            FROM pgrunbook.shard_move WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1""";
    static final String LAST_MOVE = """
            SELECT id, signature, phase, message, started_at, copy_started_at, map_written_at,
                   extract(epoch FROM coalesce(finished_at, now()) - coalesce(copy_started_at, started_at))::float8 AS seconds
            FROM pgrunbook.shard_move ORDER BY id DESC LIMIT 1""";
    static final String NEW_MOVE = "INSERT INTO pgrunbook.shard_move (signature, phase) VALUES (?, 'setup') RETURNING id";
    static final String SET_PHASE = "UPDATE pgrunbook.shard_move SET phase = ?, message = ?, updated_at = now() WHERE id = ?";
    static final String COPY_STARTED = "UPDATE pgrunbook.shard_move SET copy_started_at = coalesce(copy_started_at, now()) WHERE id = ?";
    static final String MAP_WRITTEN = """
            UPDATE pgrunbook.shard_move SET map_written_at = coalesce(map_written_at, now()) WHERE id = ?
            RETURNING extract(epoch FROM now() - map_written_at)::float8""";
    static final String FINISH = "UPDATE pgrunbook.shard_move SET phase = ?, message = ?, finished_at = now(), updated_at = now() WHERE id = ?";
    static final String BATCH_COUNT = "SELECT count(*) FROM pgrunbook.shard_move_batch WHERE move_id = ?";
    static final String ADD_BATCH = """
            INSERT INTO pgrunbook.shard_move_batch (move_id, source, batch_no, keys, planned_rows) VALUES (?, ?, ?, ?, ?)""";
    static final String PENDING_BATCHES = """
            SELECT source, batch_no, keys, planned_rows FROM pgrunbook.shard_move_batch
            WHERE move_id = ? AND done_at IS NULL ORDER BY source, batch_no""";
    static final String BATCH_DONE = """
            UPDATE pgrunbook.shard_move_batch SET copied_rows = ?, done_at = now() WHERE move_id = ? AND source = ? AND batch_no = ?""";
    static final String PROGRESS = """
            SELECT count(*) AS batches, count(done_at) AS done, coalesce(sum(planned_rows), 0)::bigint AS planned,
                   coalesce(sum(copied_rows), 0)::bigint AS copied,
                   coalesce(sum(planned_rows) FILTER (WHERE done_at IS NOT NULL), 0)::bigint AS planned_done
            FROM pgrunbook.shard_move_batch WHERE move_id = ?""";
    static final String WRITE_MAP = """
            INSERT INTO pgrunbook.shard_map (version, shard_count, shards, hash)
            SELECT m.v, ?, ?, ? FROM (SELECT coalesce(max(version), 0) + 1 AS v FROM pgrunbook.shard_map) m
            WHERE NOT EXISTS (SELECT 1 FROM pgrunbook.shard_map WHERE shards = ? AND hash = ?)""";
    static final String MAP_SCHEMA = """
            CREATE SCHEMA IF NOT EXISTS pgrunbook;
            CREATE TABLE IF NOT EXISTS pgrunbook.shard_map (
              version bigint PRIMARY KEY,
              shard_count int NOT NULL,
              shards text[] NOT NULL,
              hash text NOT NULL,
              written_at timestamptz NOT NULL DEFAULT now())""";

    // --- change capture, on each source ---------------------------------------------------------
    static final String CAPTURE_SCHEMA = """
            CREATE SCHEMA IF NOT EXISTS pgrunbook;
            CREATE TABLE IF NOT EXISTS pgrunbook.shard_move_log (
              id bigserial PRIMARY KEY,
              table_name text NOT NULL,
              key text NOT NULL,
              logged_at timestamptz NOT NULL DEFAULT clock_timestamp());
            CREATE TABLE IF NOT EXISTS pgrunbook.shard_move_frozen (key text PRIMARY KEY);
            CREATE OR REPLACE FUNCTION pgrunbook.shard_move_capture() RETURNS trigger LANGUAGE plpgsql AS $fn$
            DECLARE
              new_key text;
              old_key text;
            BEGIN
              IF current_setting('pgrunbook.shard_move_bypass', true) = 'on' THEN
                RETURN NULL;
              END IF;
              IF TG_OP <> 'DELETE' THEN
                EXECUTE format('SELECT ($1).%I::text', TG_ARGV[0]) INTO new_key USING NEW;
              END IF;
              IF TG_OP <> 'INSERT' THEN
                EXECUTE format('SELECT ($1).%I::text', TG_ARGV[0]) INTO old_key USING OLD;
              END IF;
              IF EXISTS (SELECT 1 FROM pgrunbook.shard_move_frozen f WHERE f.key = new_key OR f.key = old_key) THEN
                RAISE EXCEPTION 'shard key % of %.% has moved to another shard', coalesce(new_key, old_key), TG_TABLE_SCHEMA, TG_TABLE_NAME
                  USING ERRCODE = '55000', HINT = 'pgrunbook shard-move is cutting over: reload the shard map (pgrunbook.shard_map) and write to the new shard';
              END IF;
              IF new_key IS NOT NULL THEN
                INSERT INTO pgrunbook.shard_move_log (table_name, key) VALUES (TG_TABLE_NAME, new_key);
              END IF;
              IF old_key IS NOT NULL AND old_key IS DISTINCT FROM new_key THEN
                INSERT INTO pgrunbook.shard_move_log (table_name, key) VALUES (TG_TABLE_NAME, old_key);
              END IF;
              RETURN NULL;
            END
            $fn$""";
    /** Builds the trigger DDL on the server, which quotes the table and the key column's name. */
    static final String TRIGGER_DDL = """
            SELECT format('DROP TRIGGER IF EXISTS pgrunbook_shard_move ON %s; '
                          'CREATE TRIGGER pgrunbook_shard_move AFTER INSERT OR UPDATE OR DELETE ON %s '
                          'FOR EACH ROW EXECUTE FUNCTION pgrunbook.shard_move_capture(%L)', c.oid::regclass, c.oid::regclass, ?)
            FROM pg_class c WHERE c.oid = to_regclass(?)""";
    static final String DROP_TRIGGER_DDL = """
            SELECT format('DROP TRIGGER IF EXISTS pgrunbook_shard_move ON %s', c.oid::regclass)
            FROM pg_class c WHERE c.oid = to_regclass(?)""";
    static final String DROP_CAPTURE = """
            DROP TABLE IF EXISTS pgrunbook.shard_move_log;
            DROP TABLE IF EXISTS pgrunbook.shard_move_frozen;
            DROP FUNCTION IF EXISTS pgrunbook.shard_move_capture()""";
    /** A table's name as the server quotes it, or null when it does not exist. */
    static final String RELATION = "SELECT to_regclass(?)::text";
    static final String CAPTURE_INSTALLED = "SELECT to_regclass('pgrunbook.shard_move_log') IS NOT NULL";
    static final String READ_LOG = "SELECT id, key FROM pgrunbook.shard_move_log ORDER BY id LIMIT ?";
    static final String DELETE_LOG = "DELETE FROM pgrunbook.shard_move_log WHERE id = ANY(?)";
    static final String LOG_BACKLOG = "SELECT count(*) FROM pgrunbook.shard_move_log";
    static final String FREEZE = "INSERT INTO pgrunbook.shard_move_frozen SELECT unnest(CAST(? AS text[])) ON CONFLICT DO NOTHING";
    static final String FROZEN = "SELECT key FROM pgrunbook.shard_move_frozen";
    static final String BYPASS = "SELECT set_config('pgrunbook.shard_move_bypass', 'on', true)";

    // --- data, per table ----------------------------------------------------------------------------
    /** Per key on a shard: its rows and their size (the plan, and the shard-map check). */
    static String keyStats(String relation, String column) {
        return "SELECT " + column + "::text, count(*), sum(pg_column_size(t.*))::bigint FROM " + relation + " t GROUP BY 1";
    }

    static String distinctKeys(ShardTable t) {
        return "SELECT DISTINCT " + t.column() + "::text FROM " + t.relation();
    }

    static String anyRow(String relation) {
        return "SELECT EXISTS (SELECT 1 FROM " + relation + ")";
    }

    /** The batch's keys, for COPY (which takes no parameters), as a transaction-local setting. */
    static final String BIND_KEYS = "SELECT set_config('pgrunbook.batch_keys', CAST(? AS text[])::text, true)";
    /** A table's stored columns in attnum order, quoted by the server. */
    static final String COLUMNS = """
            SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
            WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped AND attgenerated = ''""";

    static String copyOut(ShardTable t, String columns) {
        return "COPY (SELECT " + columns + " FROM " + t.relation() + " WHERE " + t.column()
                + " = ANY(CAST(current_setting('pgrunbook.batch_keys') AS " + t.columnType() + "[]))) TO STDOUT (FORMAT binary)";
    }

    static String copyIn(ShardTable t, String columns) {
        return "COPY " + t.relation() + " (" + columns + ") FROM STDIN (FORMAT binary)";
    }

    static String deleteKeys(ShardTable t) {
        return "DELETE FROM " + t.relation() + " WHERE " + t.column() + " = ANY(CAST(? AS " + t.columnType() + "[]))";
    }

    /** Per key: row count and an md5 over the rows' jsonb text in a fixed order; the same SQL on both sides. */
    static String checksums(ShardTable t) {
        return "SELECT " + t.column() + "::text, count(*), md5(string_agg(to_jsonb(t)::text, E'\\n' ORDER BY to_jsonb(t)::text)) FROM "
                + t.relation() + " t WHERE " + t.column() + " = ANY(CAST(? AS " + t.columnType() + "[])) GROUP BY 1";
    }

    static String deleteAll(ShardTable t) {
        return "DELETE FROM " + t.relation();
    }
}
