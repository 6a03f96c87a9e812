CREATE INDEX CONCURRENTLY IF NOT EXISTS item_24_created_idx ON item_24 (created_at);
