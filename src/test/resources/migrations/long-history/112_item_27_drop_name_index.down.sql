CREATE INDEX item_27_by_name_idx ON item_27 (name);
