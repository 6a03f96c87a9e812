ALTER FUNCTION item_07_total() RENAME TO item_07_count;
ALTER TABLE item_07_v2 RENAME TO item_07;
