CREATE FUNCTION item_02_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_02;
$$;
ALTER INDEX item_02_name_idx RENAME TO item_02_by_name_idx;
