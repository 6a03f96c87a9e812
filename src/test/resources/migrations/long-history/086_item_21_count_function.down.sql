ALTER INDEX item_21_by_name_idx RENAME TO item_21_name_idx;
DROP FUNCTION item_21_count();
