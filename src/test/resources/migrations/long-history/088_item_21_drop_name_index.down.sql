CREATE INDEX item_21_by_name_idx ON item_21 (name);
