ALTER INDEX item_17_by_name_idx RENAME TO item_17_name_idx;
DROP FUNCTION item_17_count();
