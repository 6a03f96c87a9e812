CREATE INDEX CONCURRENTLY IF NOT EXISTS item_17_created_idx ON item_17 (created_at);
