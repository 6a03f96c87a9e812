-- pgrunbook sample schema: the extension storage tables of the Storage API rollout (seed 001),
-- with the autovacuum settings of the operational-readiness guide (seed 000) and a few thousand
-- deterministic rows, for demos and tests:
--
--   pgrunbook run runbooks/health.yaml --sandbox --sandbox-init runbooks/sample/storage-schema.sql
--   psql -d mydb -f runbooks/sample/storage-schema.sql
--
-- Plain SQL (no psql meta-commands), safe to load twice: tables and indexes are created only when
-- missing, rows are inserted ON CONFLICT DO NOTHING, so a second load changes nothing.
--
-- Two demo_ objects are here ON PURPOSE so that runbooks/health.yaml has something honest to
-- report on a fresh database (see the end of the file). Do not copy them into a real schema.

-- Records: one value per (tenant, install, namespace, key). Every key starts with tenant_id, the
-- distribution column once the tables are distributed with create_distributed_table.
CREATE TABLE IF NOT EXISTS ext_storage_records (
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
CREATE TABLE IF NOT EXISTS ext_storage_schemas (
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
CREATE TABLE IF NOT EXISTS ext_storage_usage (
    tenant_id    uuid        NOT NULL,
    install_id   uuid        NOT NULL,
    namespace    text        NOT NULL,
    record_count bigint      NOT NULL DEFAULT 0 CHECK (record_count >= 0),
    bytes_used   bigint      NOT NULL DEFAULT 0 CHECK (bytes_used >= 0),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ext_storage_usage_pkey PRIMARY KEY (tenant_id, install_id, namespace)
);

-- Namespace scans with a key prefix (list with prefix=...): the primary key orders by key in the
-- database collation, which LIKE 'prefix%' cannot use unless the collation is C; text_pattern_ops
-- can. Same columns as the primary key, different operator class: NOT a duplicate index.
CREATE INDEX IF NOT EXISTS ext_storage_records_namespace_prefix_idx
    ON ext_storage_records (tenant_id, install_id, namespace, key text_pattern_ops);

-- Opportunistic TTL cleanup looks for expired rows of one namespace; most rows never expire, so
-- the index holds only those that can.
CREATE INDEX IF NOT EXISTS ext_storage_records_ttl_idx
    ON ext_storage_records (tenant_id, install_id, namespace, expires_at)
    WHERE expires_at IS NOT NULL;

-- updated_at maintained by the database, whatever the client sends.
CREATE OR REPLACE FUNCTION ext_storage_set_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- CREATE OR REPLACE TRIGGER needs PostgreSQL 14; drop-and-create works on 12 and 13 too.
DROP TRIGGER IF EXISTS ext_storage_records_updated_at ON ext_storage_records;
CREATE TRIGGER ext_storage_records_updated_at
    BEFORE UPDATE ON ext_storage_records
    FOR EACH ROW EXECUTE FUNCTION ext_storage_set_updated_at();
DROP TRIGGER IF EXISTS ext_storage_schemas_updated_at ON ext_storage_schemas;
CREATE TRIGGER ext_storage_schemas_updated_at
    BEFORE UPDATE ON ext_storage_schemas
    FOR EACH ROW EXECUTE FUNCTION ext_storage_set_updated_at();
DROP TRIGGER IF EXISTS ext_storage_usage_updated_at ON ext_storage_usage;
CREATE TRIGGER ext_storage_usage_updated_at
    BEFORE UPDATE ON ext_storage_usage
    FOR EACH ROW EXECUTE FUNCTION ext_storage_set_updated_at();

-- Seed 000: vacuum the hot table after 5% of it is dead, analyze after 2% changed.
ALTER TABLE ext_storage_records SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);

-- Deterministic data: 10 tenants x 3 installs x 5 namespaces x 20 keys = 3,000 records.
-- Ids are md5-derived UUIDs, timestamps are fixed; one record in four carries a TTL, half of those
-- already expired (2025) and half far in the future (2099), for TTL sweep demos.
INSERT INTO ext_storage_records (tenant_id, install_id, namespace, key, value, revision, expires_at, created_at, updated_at)
SELECT md5('tenant-' || t)::uuid,
       md5('install-' || t || '-' || i)::uuid,
       'ns-' || n,
       'key-' || lpad(k::text, 4, '0'),
       jsonb_build_object('n', k, 'label', 'item ' || k, 'tags', jsonb_build_array('t' || (k % 7), 'i' || i),
                          'payload', repeat(chr(97 + (k % 26)), 20 + (k * 37) % 200)),
       1 + (k % 3),
       CASE WHEN k % 8 = 0 THEN timestamptz '2025-01-01 00:00:00+00' + k * interval '1 hour'
            WHEN k % 8 = 4 THEN timestamptz '2099-01-01 00:00:00+00' + k * interval '1 hour'
       END,
       timestamptz '2024-06-01 00:00:00+00' + (t * 1000 + i * 100 + n * 20 + k) * interval '1 minute',
       timestamptz '2024-06-01 00:00:00+00' + (t * 1000 + i * 100 + n * 20 + k) * interval '1 minute'
FROM generate_series(1, 10) AS t,
     generate_series(1, 3) AS i,
     generate_series(1, 5) AS n,
     generate_series(1, 20) AS k
ON CONFLICT DO NOTHING;

INSERT INTO ext_storage_schemas (tenant_id, install_id, namespace, schema_version, json_schema, created_at, updated_at)
SELECT md5('tenant-' || t)::uuid,
       md5('install-' || t || '-' || i)::uuid,
       'ns-' || n,
       1,
       jsonb_build_object('type', 'object', 'required', jsonb_build_array('n'),
                          'properties', jsonb_build_object('n', jsonb_build_object('type', 'integer'))),
       timestamptz '2024-06-01 00:00:00+00',
       timestamptz '2024-06-01 00:00:00+00'
FROM generate_series(1, 10) AS t,
     generate_series(1, 3) AS i,
     generate_series(1, 5) AS n
WHERE n <= 2
ON CONFLICT DO NOTHING;

INSERT INTO ext_storage_usage (tenant_id, install_id, namespace, record_count, bytes_used, updated_at)
SELECT tenant_id, install_id, namespace, count(*), sum(pg_column_size(value)), timestamptz '2024-06-02 00:00:00+00'
FROM ext_storage_records
GROUP BY tenant_id, install_id, namespace
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- DEMO OBJECTS, THERE ON PURPOSE: they give runbooks/health.yaml something to warn about.
-- ---------------------------------------------------------------------------------------------

-- 1. A duplicate index: the same columns, operator classes, collations and (no) predicate as the
--    primary key of ext_storage_usage. health.yaml's duplicate-indexes step reports the pair
--    (ext_storage_usage_pkey, demo_ext_storage_usage_dup_idx). The fix would be
--    DROP INDEX CONCURRENTLY demo_ext_storage_usage_dup_idx;
CREATE INDEX IF NOT EXISTS demo_ext_storage_usage_dup_idx
    ON ext_storage_usage (tenant_id, install_id, namespace);

-- 2. A table without any index (not even a primary key): health.yaml's tables-without-index step
--    reports it. A bulk-import staging table is the usual way such tables appear.
CREATE TABLE IF NOT EXISTS demo_import_staging (
    batch_id   integer     NOT NULL,
    line_no    integer     NOT NULL,
    raw        text        NOT NULL,
    loaded_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO demo_import_staging (batch_id, line_no, raw, loaded_at)
SELECT b, l, 'tenant-' || (l % 10 + 1) || ',ns-' || (l % 5 + 1) || ',key-' || lpad(l::text, 4, '0'),
       timestamptz '2024-06-03 00:00:00+00' + b * interval '1 day'
FROM generate_series(1, 5) AS b, generate_series(1, 100) AS l
WHERE NOT EXISTS (SELECT 1 FROM demo_import_staging);

-- Fresh statistics, so that planner estimates and pg_class.relpages are right from the start.
ANALYZE ext_storage_records;
ANALYZE ext_storage_schemas;
ANALYZE ext_storage_usage;
ANALYZE demo_import_staging;
