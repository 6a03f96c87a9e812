ALTER FUNCTION item_25_total() RENAME TO item_25_count;
ALTER TABLE item_25_v2 RENAME TO item_25;
