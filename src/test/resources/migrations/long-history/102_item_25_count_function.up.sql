CREATE FUNCTION item_25_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_25;
$$;
ALTER INDEX item_25_name_idx RENAME TO item_25_by_name_idx;
