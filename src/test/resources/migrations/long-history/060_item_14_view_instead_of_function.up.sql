DROP FUNCTION item_14_count();
CREATE VIEW item_14_names AS SELECT id, name FROM item_14;
