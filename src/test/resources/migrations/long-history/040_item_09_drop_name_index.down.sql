CREATE INDEX item_09_by_name_idx ON item_09 (name);
