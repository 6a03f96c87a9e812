DROP FUNCTION item_29_count();
CREATE VIEW item_29_names AS SELECT id, name FROM item_29;
