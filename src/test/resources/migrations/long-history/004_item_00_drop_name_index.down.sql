CREATE INDEX item_00_by_name_idx ON item_00 (name);
