ALTER INDEX item_23_by_name_idx RENAME TO item_23_name_idx;
DROP FUNCTION item_23_count();
