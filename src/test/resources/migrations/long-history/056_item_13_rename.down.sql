ALTER FUNCTION item_13_total() RENAME TO item_13_count;
ALTER TABLE item_13_v2 RENAME TO item_13;
