CREATE INDEX CONCURRENTLY IF NOT EXISTS item_02_created_idx ON item_02 (created_at);
