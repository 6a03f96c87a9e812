CREATE INDEX CONCURRENTLY IF NOT EXISTS item_25_created_idx ON item_25 (created_at);
