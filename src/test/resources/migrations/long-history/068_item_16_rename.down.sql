ALTER FUNCTION item_16_total() RENAME TO item_16_count;
ALTER TABLE item_16_v2 RENAME TO item_16;
