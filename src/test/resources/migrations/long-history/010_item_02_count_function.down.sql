ALTER INDEX item_02_by_name_idx RENAME TO item_02_name_idx;
DROP FUNCTION item_02_count();
