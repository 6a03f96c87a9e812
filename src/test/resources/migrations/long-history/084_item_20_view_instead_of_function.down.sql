DROP VIEW item_20_names;
CREATE FUNCTION item_20_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_20;
$$;
