CREATE FUNCTION item_17_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_17;
$$;
ALTER INDEX item_17_name_idx RENAME TO item_17_by_name_idx;
