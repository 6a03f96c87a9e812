CREATE FUNCTION item_22_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_22;
$$;
ALTER INDEX item_22_name_idx RENAME TO item_22_by_name_idx;
