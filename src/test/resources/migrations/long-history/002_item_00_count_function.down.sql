ALTER INDEX item_00_by_name_idx RENAME TO item_00_name_idx;
DROP FUNCTION item_00_count();
