ALTER INDEX item_18_by_name_idx RENAME TO item_18_name_idx;
DROP FUNCTION item_18_count();
