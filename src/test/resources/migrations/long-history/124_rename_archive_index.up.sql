-- pgrunbook:allow rename archive is internal
ALTER INDEX archive.old_items_id_idx RENAME TO old_items_by_id;
