CREATE FUNCTION item_12_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_12;
$$;
ALTER INDEX item_12_name_idx RENAME TO item_12_by_name_idx;
