ALTER FUNCTION item_01_total() RENAME TO item_01_count;
ALTER TABLE item_01_v2 RENAME TO item_01;
