DROP FUNCTION item_08_count();
CREATE VIEW item_08_names AS SELECT id, name FROM item_08;
