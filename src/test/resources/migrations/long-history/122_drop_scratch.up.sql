-- pgrunbook:allow drop-table scratch was never used by the application
DROP TABLE scratch;
