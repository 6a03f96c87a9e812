DROP VIEW item_05_names;
CREATE FUNCTION item_05_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_05;
$$;
