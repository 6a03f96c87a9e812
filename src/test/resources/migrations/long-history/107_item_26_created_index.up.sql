CREATE INDEX CONCURRENTLY IF NOT EXISTS item_26_created_idx ON item_26 (created_at);
