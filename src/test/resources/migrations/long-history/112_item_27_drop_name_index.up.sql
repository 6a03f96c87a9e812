-- pgrunbook:allow drop-index-locks the table is new in this release and empty
DROP INDEX item_27_by_name_idx;
