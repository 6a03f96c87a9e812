DROP VIEW item_14_names;
CREATE FUNCTION item_14_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_14;
$$;
