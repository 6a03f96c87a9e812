ALTER INDEX item_04_by_name_idx RENAME TO item_04_name_idx;
DROP FUNCTION item_04_count();
