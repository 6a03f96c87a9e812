DROP FUNCTION item_17_count();
CREATE VIEW item_17_names AS SELECT id, name FROM item_17;
