ALTER INDEX item_24_by_name_idx RENAME TO item_24_name_idx;
DROP FUNCTION item_24_count();
