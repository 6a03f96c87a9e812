ALTER INDEX item_11_by_name_idx RENAME TO item_11_name_idx;
DROP FUNCTION item_11_count();
