ALTER INDEX item_06_by_name_idx RENAME TO item_06_name_idx;
DROP FUNCTION item_06_count();
