DROP VIEW item_17_names;
CREATE FUNCTION item_17_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_17;
$$;
