ALTER INDEX item_16_by_name_idx RENAME TO item_16_name_idx;
DROP FUNCTION item_16_count();
