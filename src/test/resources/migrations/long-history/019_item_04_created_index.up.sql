CREATE INDEX CONCURRENTLY IF NOT EXISTS item_04_created_idx ON item_04 (created_at);
