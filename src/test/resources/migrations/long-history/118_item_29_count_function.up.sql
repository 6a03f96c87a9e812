CREATE FUNCTION item_29_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_29;
$$;
ALTER INDEX item_29_name_idx RENAME TO item_29_by_name_idx;
