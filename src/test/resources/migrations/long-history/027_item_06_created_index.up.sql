CREATE INDEX CONCURRENTLY IF NOT EXISTS item_06_created_idx ON item_06 (created_at);
