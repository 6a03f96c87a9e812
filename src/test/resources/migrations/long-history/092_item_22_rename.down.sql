ALTER FUNCTION item_22_total() RENAME TO item_22_count;
ALTER TABLE item_22_v2 RENAME TO item_22;
