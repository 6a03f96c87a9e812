CREATE FUNCTION item_27_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_27;
$$;
ALTER INDEX item_27_name_idx RENAME TO item_27_by_name_idx;
