CREATE INDEX CONCURRENTLY IF NOT EXISTS item_03_created_idx ON item_03 (created_at);
