ALTER INDEX item_22_by_name_idx RENAME TO item_22_name_idx;
DROP FUNCTION item_22_count();
