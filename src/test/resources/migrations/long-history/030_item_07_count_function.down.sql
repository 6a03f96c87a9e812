ALTER INDEX item_07_by_name_idx RENAME TO item_07_name_idx;
DROP FUNCTION item_07_count();
