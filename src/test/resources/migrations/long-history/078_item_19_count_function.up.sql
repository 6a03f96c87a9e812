CREATE FUNCTION item_19_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_19;
$$;
ALTER INDEX item_19_name_idx RENAME TO item_19_by_name_idx;
