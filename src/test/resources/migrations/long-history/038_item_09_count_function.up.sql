CREATE FUNCTION item_09_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_09;
$$;
ALTER INDEX item_09_name_idx RENAME TO item_09_by_name_idx;
