CREATE INDEX CONCURRENTLY IF NOT EXISTS item_01_created_idx ON item_01 (created_at);
