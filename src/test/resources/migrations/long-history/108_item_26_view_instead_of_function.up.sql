DROP FUNCTION item_26_count();
CREATE VIEW item_26_names AS SELECT id, name FROM item_26;
