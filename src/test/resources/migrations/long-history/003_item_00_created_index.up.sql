CREATE INDEX CONCURRENTLY IF NOT EXISTS item_00_created_idx ON item_00 (created_at);
