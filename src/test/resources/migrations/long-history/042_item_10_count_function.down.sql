ALTER INDEX item_10_by_name_idx RENAME TO item_10_name_idx;
DROP FUNCTION item_10_count();
