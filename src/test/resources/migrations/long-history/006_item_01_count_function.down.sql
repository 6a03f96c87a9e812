ALTER INDEX item_01_by_name_idx RENAME TO item_01_name_idx;
DROP FUNCTION item_01_count();
