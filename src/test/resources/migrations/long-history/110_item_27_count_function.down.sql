ALTER INDEX item_27_by_name_idx RENAME TO item_27_name_idx;
DROP FUNCTION item_27_count();
