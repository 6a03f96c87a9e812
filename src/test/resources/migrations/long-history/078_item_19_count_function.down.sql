ALTER INDEX item_19_by_name_idx RENAME TO item_19_name_idx;
DROP FUNCTION item_19_count();
