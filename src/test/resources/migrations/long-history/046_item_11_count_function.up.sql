CREATE FUNCTION item_11_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_11;
$$;
ALTER INDEX item_11_name_idx RENAME TO item_11_by_name_idx;
