CREATE INDEX CONCURRENTLY IF NOT EXISTS item_12_created_idx ON item_12 (created_at);
