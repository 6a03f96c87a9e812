CREATE FUNCTION item_10_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_10;
$$;
ALTER INDEX item_10_name_idx RENAME TO item_10_by_name_idx;
