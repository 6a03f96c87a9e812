ALTER FUNCTION item_19_total() RENAME TO item_19_count;
ALTER TABLE item_19_v2 RENAME TO item_19;
