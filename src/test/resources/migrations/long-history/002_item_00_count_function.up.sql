CREATE FUNCTION item_00_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_00;
$$;
ALTER INDEX item_00_name_idx RENAME TO item_00_by_name_idx;
