CREATE FUNCTION item_14_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_14;
$$;
ALTER INDEX item_14_name_idx RENAME TO item_14_by_name_idx;
