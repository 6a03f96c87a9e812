ALTER INDEX item_20_by_name_idx RENAME TO item_20_name_idx;
DROP FUNCTION item_20_count();
