CREATE INDEX CONCURRENTLY IF NOT EXISTS item_09_created_idx ON item_09 (created_at);
