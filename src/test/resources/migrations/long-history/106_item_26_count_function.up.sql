CREATE FUNCTION item_26_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_26;
$$;
ALTER INDEX item_26_name_idx RENAME TO item_26_by_name_idx;
