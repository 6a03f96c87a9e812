CREATE INDEX CONCURRENTLY IF NOT EXISTS item_07_created_idx ON item_07 (created_at);
