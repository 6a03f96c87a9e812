DROP VIEW item_11_names;
CREATE FUNCTION item_11_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_11;
$$;
