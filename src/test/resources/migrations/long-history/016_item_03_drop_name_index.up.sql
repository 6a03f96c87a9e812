-- pgrunbook:allow drop-index-locks the table is new in this release and empty
DROP INDEX item_03_by_name_idx;
