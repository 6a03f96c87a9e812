CREATE INDEX CONCURRENTLY IF NOT EXISTS item_13_created_idx ON item_13 (created_at);
