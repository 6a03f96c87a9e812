DROP VIEW item_23_names;
CREATE FUNCTION item_23_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_23;
$$;
