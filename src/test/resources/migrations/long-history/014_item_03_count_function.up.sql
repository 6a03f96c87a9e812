CREATE FUNCTION item_03_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_03;
$$;
ALTER INDEX item_03_name_idx RENAME TO item_03_by_name_idx;
