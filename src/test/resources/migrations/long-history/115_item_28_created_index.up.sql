CREATE INDEX CONCURRENTLY IF NOT EXISTS item_28_created_idx ON item_28 (created_at);
