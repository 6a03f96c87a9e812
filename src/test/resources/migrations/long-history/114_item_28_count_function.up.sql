CREATE FUNCTION item_28_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_28;
$$;
ALTER INDEX item_28_name_idx RENAME TO item_28_by_name_idx;
