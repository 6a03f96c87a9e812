-- Seed 001: the ext_storage_* tables of the Storage API rollout, their indexes (including the TTL
-- partial index), the updated_at trigger, and distribution with create_distributed_table when the
-- citus extension is installed. New tables: nothing here can lock anyone out, so it runs in one
-- transaction with the lock_timeout pgrunbook sets.
-- Records: one value per (tenant, install, namespace, key). Every key starts with tenant_id, the
-- distribution column once the tables are distributed with create_distributed_table.
CREATE TABLE ext_storage_records (
    tenant_id   uuid        NOT NULL,
    install_id  uuid        NOT NULL,
    namespace   text        NOT NULL CHECK (namespace <> '' AND length(namespace) <= 128),
    key         text        NOT NULL CHECK (key <> '' AND length(key) <= 512),
    value       jsonb       NOT NULL,
    revision    bigint      NOT NULL DEFAULT 1 CHECK (revision > 0),
    expires_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ext_storage_records_pkey PRIMARY KEY (tenant_id, install_id, namespace, key)
);

-- Schemas: the optional JSON schema a namespace's values must follow.
CREATE TABLE ext_storage_schemas (
    tenant_id      uuid        NOT NULL,
    install_id     uuid        NOT NULL,
    namespace      text        NOT NULL CHECK (namespace <> '' AND length(namespace) <= 128),
    schema_version integer     NOT NULL DEFAULT 1 CHECK (schema_version > 0),
    json_schema    jsonb       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ext_storage_schemas_pkey PRIMARY KEY (tenant_id, install_id, namespace)
);

-- Usage: per-namespace counters that quota enforcement reads.
CREATE TABLE ext_storage_usage (
    tenant_id    uuid        NOT NULL,
    install_id   uuid        NOT NULL,
    namespace    text        NOT NULL,
    record_count bigint      NOT NULL DEFAULT 0 CHECK (record_count >= 0),
    bytes_used   bigint      NOT NULL DEFAULT 0 CHECK (bytes_used >= 0),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ext_storage_usage_pkey PRIMARY KEY (tenant_id, install_id, namespace)
);

-- Namespace scans with a key prefix: text_pattern_ops serves LIKE 'prefix%' in any collation.
CREATE INDEX ext_storage_records_namespace_prefix_idx
    ON ext_storage_records (tenant_id, install_id, namespace, key text_pattern_ops);

-- Opportunistic TTL cleanup: only rows that can expire are in the index.
CREATE INDEX ext_storage_records_ttl_idx
    ON ext_storage_records (tenant_id, install_id, namespace, expires_at)
    WHERE expires_at IS NOT NULL;

-- Distribution after creation (seed 001), co-located on tenant_id; only where Citus is installed,
-- so the same migration applies to a single PostgreSQL node. Before the triggers: Citus refuses to
-- distribute a table that has triggers, and allows triggers on distributed tables only with
-- citus.enable_unsafe_triggers (set for this transaction; the trigger only touches its own row).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        -- One connection per node for the rest of the transaction, so the function and triggers below can follow.
        PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
        PERFORM create_distributed_table('ext_storage_records', 'tenant_id');
        PERFORM create_distributed_table('ext_storage_schemas', 'tenant_id', colocate_with => 'ext_storage_records');
        PERFORM create_distributed_table('ext_storage_usage', 'tenant_id', colocate_with => 'ext_storage_records');
        PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    END IF;
END
$$;

-- updated_at maintained by the database, whatever the client sends.
CREATE FUNCTION ext_storage_set_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER ext_storage_records_updated_at
    BEFORE UPDATE ON ext_storage_records
    FOR EACH ROW EXECUTE FUNCTION ext_storage_set_updated_at();
CREATE TRIGGER ext_storage_schemas_updated_at
    BEFORE UPDATE ON ext_storage_schemas
    FOR EACH ROW EXECUTE FUNCTION ext_storage_set_updated_at();
CREATE TRIGGER ext_storage_usage_updated_at
    BEFORE UPDATE ON ext_storage_usage
    FOR EACH ROW EXECUTE FUNCTION ext_storage_set_updated_at();
