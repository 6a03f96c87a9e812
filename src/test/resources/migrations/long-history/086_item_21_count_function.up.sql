CREATE FUNCTION item_21_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_21;
$$;
ALTER INDEX item_21_name_idx RENAME TO item_21_by_name_idx;
