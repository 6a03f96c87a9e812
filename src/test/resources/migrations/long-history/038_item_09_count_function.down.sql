ALTER INDEX item_09_by_name_idx RENAME TO item_09_name_idx;
DROP FUNCTION item_09_count();
