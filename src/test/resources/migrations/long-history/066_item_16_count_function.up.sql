CREATE FUNCTION item_16_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_16;
$$;
ALTER INDEX item_16_name_idx RENAME TO item_16_by_name_idx;
