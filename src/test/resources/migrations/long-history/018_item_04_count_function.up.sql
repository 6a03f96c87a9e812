CREATE FUNCTION item_04_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_04;
$$;
ALTER INDEX item_04_name_idx RENAME TO item_04_by_name_idx;
