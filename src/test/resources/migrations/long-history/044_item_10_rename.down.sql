ALTER FUNCTION item_10_total() RENAME TO item_10_count;
ALTER TABLE item_10_v2 RENAME TO item_10;
