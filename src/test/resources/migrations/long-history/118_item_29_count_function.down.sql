ALTER INDEX item_29_by_name_idx RENAME TO item_29_name_idx;
DROP FUNCTION item_29_count();
