CREATE FUNCTION item_08_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_08;
$$;
ALTER INDEX item_08_name_idx RENAME TO item_08_by_name_idx;
