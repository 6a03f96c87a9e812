CREATE FUNCTION item_23_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_23;
$$;
ALTER INDEX item_23_name_idx RENAME TO item_23_by_name_idx;
