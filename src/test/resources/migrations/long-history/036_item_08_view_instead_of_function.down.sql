DROP VIEW item_08_names;
CREATE FUNCTION item_08_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_08;
$$;
