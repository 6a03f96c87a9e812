CREATE INDEX item_06_by_name_idx ON item_06 (name);
