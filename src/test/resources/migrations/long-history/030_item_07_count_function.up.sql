CREATE FUNCTION item_07_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_07;
$$;
ALTER INDEX item_07_name_idx RENAME TO item_07_by_name_idx;
