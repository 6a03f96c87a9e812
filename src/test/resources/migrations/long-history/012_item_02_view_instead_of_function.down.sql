DROP VIEW item_02_names;
CREATE FUNCTION item_02_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_02;
$$;
