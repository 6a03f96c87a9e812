CREATE INDEX CONCURRENTLY IF NOT EXISTS item_14_created_idx ON item_14 (created_at);
