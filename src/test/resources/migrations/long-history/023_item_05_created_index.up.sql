CREATE INDEX CONCURRENTLY IF NOT EXISTS item_05_created_idx ON item_05 (created_at);
