ALTER FUNCTION item_04_total() RENAME TO item_04_count;
ALTER TABLE item_04_v2 RENAME TO item_04;
