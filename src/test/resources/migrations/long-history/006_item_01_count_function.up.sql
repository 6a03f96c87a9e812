CREATE FUNCTION item_01_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_01;
$$;
ALTER INDEX item_01_name_idx RENAME TO item_01_by_name_idx;
