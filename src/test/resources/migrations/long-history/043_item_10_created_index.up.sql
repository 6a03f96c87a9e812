CREATE INDEX CONCURRENTLY IF NOT EXISTS item_10_created_idx ON item_10 (created_at);
