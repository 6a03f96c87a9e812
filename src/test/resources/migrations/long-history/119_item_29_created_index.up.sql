CREATE INDEX CONCURRENTLY IF NOT EXISTS item_29_created_idx ON item_29 (created_at);
