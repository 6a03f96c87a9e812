DROP FUNCTION item_05_count();
CREATE VIEW item_05_names AS SELECT id, name FROM item_05;
