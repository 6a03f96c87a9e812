DROP FUNCTION item_02_count();
CREATE VIEW item_02_names AS SELECT id, name FROM item_02;
