CREATE FUNCTION item_24_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_24;
$$;
ALTER INDEX item_24_name_idx RENAME TO item_24_by_name_idx;
