-- pgrunbook:allow drop-index-locks the table is new in this release and empty
DROP INDEX item_15_by_name_idx;
