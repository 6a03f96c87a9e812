ALTER INDEX item_28_by_name_idx RENAME TO item_28_name_idx;
DROP FUNCTION item_28_count();
