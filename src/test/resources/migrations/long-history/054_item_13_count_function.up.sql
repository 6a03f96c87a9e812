CREATE FUNCTION item_13_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_13;
$$;
ALTER INDEX item_13_name_idx RENAME TO item_13_by_name_idx;
