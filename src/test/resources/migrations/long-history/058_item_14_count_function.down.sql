ALTER INDEX item_14_by_name_idx RENAME TO item_14_name_idx;
DROP FUNCTION item_14_count();
