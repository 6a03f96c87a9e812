ALTER INDEX item_15_by_name_idx RENAME TO item_15_name_idx;
DROP FUNCTION item_15_count();
