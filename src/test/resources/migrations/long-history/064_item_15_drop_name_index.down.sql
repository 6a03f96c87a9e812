CREATE INDEX item_15_by_name_idx ON item_15 (name);
