CREATE INDEX CONCURRENTLY IF NOT EXISTS item_16_created_idx ON item_16 (created_at);
