CREATE INDEX CONCURRENTLY IF NOT EXISTS item_18_created_idx ON item_18 (created_at);
