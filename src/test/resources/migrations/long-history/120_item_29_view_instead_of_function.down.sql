DROP VIEW item_29_names;
CREATE FUNCTION item_29_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_29;
$$;
