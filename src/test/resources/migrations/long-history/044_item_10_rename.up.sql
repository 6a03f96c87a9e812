-- pgrunbook:allow rename nothing reads item_10 yet
ALTER TABLE item_10 RENAME TO item_10_v2;
-- pgrunbook:allow rename the function is new in this release
ALTER FUNCTION item_10_count() RENAME TO item_10_total;
CREATE OR REPLACE FUNCTION item_10_total() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_10_v2;
$$;
