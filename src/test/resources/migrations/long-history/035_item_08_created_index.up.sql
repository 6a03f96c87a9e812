CREATE INDEX CONCURRENTLY IF NOT EXISTS item_08_created_idx ON item_08 (created_at);
