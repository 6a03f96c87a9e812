CREATE INDEX item_18_by_name_idx ON item_18 (name);
