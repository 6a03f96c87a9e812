-- Down for 001, in reverse order (seed 001): triggers, indexes, tables. DROP TABLE removes a
-- distributed table and its shards too, so no undistribute_table (which refuses tables with triggers).
-- Only before the tables hold data anyone needs (seed 001: post-GA, prefer a forward fix).
-- Citus touches triggers on distributed tables only with citus.enable_unsafe_triggers (this transaction only).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
        PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    END IF;
END
$$;
DROP TRIGGER IF EXISTS ext_storage_usage_updated_at ON ext_storage_usage;
DROP TRIGGER IF EXISTS ext_storage_schemas_updated_at ON ext_storage_schemas;
DROP TRIGGER IF EXISTS ext_storage_records_updated_at ON ext_storage_records;
DROP FUNCTION IF EXISTS ext_storage_set_updated_at();
DROP INDEX IF EXISTS ext_storage_records_ttl_idx;
DROP INDEX IF EXISTS ext_storage_records_namespace_prefix_idx;
DROP TABLE IF EXISTS ext_storage_usage;
DROP TABLE IF EXISTS ext_storage_schemas;
DROP TABLE IF EXISTS ext_storage_records;
