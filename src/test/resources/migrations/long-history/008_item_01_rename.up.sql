-- pgrunbook:allow rename nothing reads item_01 yet
ALTER TABLE item_01 RENAME TO item_01_v2;
-- pgrunbook:allow rename the function is new in this release
ALTER FUNCTION item_01_count() RENAME TO item_01_total;
CREATE OR REPLACE FUNCTION item_01_total() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_01_v2;
$$;
