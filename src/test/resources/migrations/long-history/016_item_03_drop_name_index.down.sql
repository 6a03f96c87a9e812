CREATE INDEX item_03_by_name_idx ON item_03 (name);
