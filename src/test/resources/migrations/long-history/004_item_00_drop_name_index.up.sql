-- pgrunbook:allow drop-index-locks the table is new in this release and empty
DROP INDEX item_00_by_name_idx;
