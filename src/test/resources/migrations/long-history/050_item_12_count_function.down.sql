ALTER INDEX item_12_by_name_idx RENAME TO item_12_name_idx;
DROP FUNCTION item_12_count();
