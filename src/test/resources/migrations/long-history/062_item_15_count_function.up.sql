CREATE FUNCTION item_15_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_15;
$$;
ALTER INDEX item_15_name_idx RENAME TO item_15_by_name_idx;
