CREATE INDEX CONCURRENTLY IF NOT EXISTS item_20_created_idx ON item_20 (created_at);
