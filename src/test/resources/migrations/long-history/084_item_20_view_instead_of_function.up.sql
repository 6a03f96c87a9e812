DROP FUNCTION item_20_count();
CREATE VIEW item_20_names AS SELECT id, name FROM item_20;
