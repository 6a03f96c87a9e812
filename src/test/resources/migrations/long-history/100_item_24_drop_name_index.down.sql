CREATE INDEX item_24_by_name_idx ON item_24 (name);
