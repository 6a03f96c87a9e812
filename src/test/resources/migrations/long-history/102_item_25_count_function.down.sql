ALTER INDEX item_25_by_name_idx RENAME TO item_25_name_idx;
DROP FUNCTION item_25_count();
