CREATE FUNCTION item_20_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_20;
$$;
ALTER INDEX item_20_name_idx RENAME TO item_20_by_name_idx;
