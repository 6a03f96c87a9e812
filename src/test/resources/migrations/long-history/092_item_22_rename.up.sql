-- pgrunbook:allow rename nothing reads item_22 yet
ALTER TABLE item_22 RENAME TO item_22_v2;
-- pgrunbook:allow rename the function is new in this release
ALTER FUNCTION item_22_count() RENAME TO item_22_total;
CREATE OR REPLACE FUNCTION item_22_total() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_22_v2;
$$;
