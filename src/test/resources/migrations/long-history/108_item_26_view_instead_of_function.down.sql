DROP VIEW item_26_names;
CREATE FUNCTION item_26_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_26;
$$;
