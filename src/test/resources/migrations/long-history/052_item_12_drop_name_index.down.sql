CREATE INDEX item_12_by_name_idx ON item_12 (name);
