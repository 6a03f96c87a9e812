ALTER INDEX item_05_by_name_idx RENAME TO item_05_name_idx;
DROP FUNCTION item_05_count();
