CREATE INDEX CONCURRENTLY IF NOT EXISTS item_21_created_idx ON item_21 (created_at);
