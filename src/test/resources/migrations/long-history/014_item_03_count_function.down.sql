ALTER INDEX item_03_by_name_idx RENAME TO item_03_name_idx;
DROP FUNCTION item_03_count();
