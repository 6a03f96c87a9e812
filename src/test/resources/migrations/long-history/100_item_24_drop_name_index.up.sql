-- pgrunbook:allow drop-index-locks the table is new in this release and empty
DROP INDEX item_24_by_name_idx;
