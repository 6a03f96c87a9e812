ALTER INDEX item_26_by_name_idx RENAME TO item_26_name_idx;
DROP FUNCTION item_26_count();
