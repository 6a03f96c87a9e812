CREATE INDEX CONCURRENTLY IF NOT EXISTS item_11_created_idx ON item_11 (created_at);
