ALTER INDEX item_08_by_name_idx RENAME TO item_08_name_idx;
DROP FUNCTION item_08_count();
