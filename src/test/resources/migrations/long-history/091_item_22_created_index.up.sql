CREATE INDEX CONCURRENTLY IF NOT EXISTS item_22_created_idx ON item_22 (created_at);
