-- pgrunbook:allow rename nothing reads item_28 yet
ALTER TABLE item_28 RENAME TO item_28_v2;
-- pgrunbook:allow rename the function is new in this release
ALTER FUNCTION item_28_count() RENAME TO item_28_total;
CREATE OR REPLACE FUNCTION item_28_total() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_28_v2;
$$;
