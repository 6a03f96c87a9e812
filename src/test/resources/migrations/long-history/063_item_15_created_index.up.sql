CREATE INDEX CONCURRENTLY IF NOT EXISTS item_15_created_idx ON item_15 (created_at);
