CREATE INDEX CONCURRENTLY IF NOT EXISTS item_27_created_idx ON item_27 (created_at);
