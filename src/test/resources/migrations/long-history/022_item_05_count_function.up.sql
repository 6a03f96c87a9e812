CREATE FUNCTION item_05_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_05;
$$;
ALTER INDEX item_05_name_idx RENAME TO item_05_by_name_idx;
