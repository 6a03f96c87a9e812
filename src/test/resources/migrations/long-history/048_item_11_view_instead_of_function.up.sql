DROP FUNCTION item_11_count();
CREATE VIEW item_11_names AS SELECT id, name FROM item_11;
