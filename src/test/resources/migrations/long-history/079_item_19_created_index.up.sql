CREATE INDEX CONCURRENTLY IF NOT EXISTS item_19_created_idx ON item_19 (created_at);
