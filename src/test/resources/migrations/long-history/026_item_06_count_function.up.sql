CREATE FUNCTION item_06_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_06;
$$;
ALTER INDEX item_06_name_idx RENAME TO item_06_by_name_idx;
