-- pgrunbook:allow rename nothing reads item_13 yet
ALTER TABLE item_13 RENAME TO item_13_v2;
-- pgrunbook:allow rename the function is new in this release
ALTER FUNCTION item_13_count() RENAME TO item_13_total;
CREATE OR REPLACE FUNCTION item_13_total() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_13_v2;
$$;
