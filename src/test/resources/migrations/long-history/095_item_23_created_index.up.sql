CREATE INDEX CONCURRENTLY IF NOT EXISTS item_23_created_idx ON item_23 (created_at);
