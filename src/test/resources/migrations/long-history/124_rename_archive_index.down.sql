ALTER INDEX archive.old_items_by_id RENAME TO old_items_id_idx;
