CREATE FUNCTION item_18_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_18;
$$;
ALTER INDEX item_18_name_idx RENAME TO item_18_by_name_idx;
