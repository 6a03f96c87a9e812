DROP FUNCTION item_23_count();
CREATE VIEW item_23_names AS SELECT id, name FROM item_23;
