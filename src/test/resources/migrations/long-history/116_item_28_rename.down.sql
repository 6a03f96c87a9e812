ALTER FUNCTION item_28_total() RENAME TO item_28_count;
ALTER TABLE item_28_v2 RENAME TO item_28;
