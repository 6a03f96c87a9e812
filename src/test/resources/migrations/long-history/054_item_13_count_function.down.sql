ALTER INDEX item_13_by_name_idx RENAME TO item_13_name_idx;
DROP FUNCTION item_13_count();
