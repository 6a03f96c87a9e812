-- pgrunbook:allow rename nothing reads item_07 yet
ALTER TABLE item_07 RENAME TO item_07_v2;
-- pgrunbook:allow rename the function is new in this release
ALTER FUNCTION item_07_count() RENAME TO item_07_total;
CREATE OR REPLACE FUNCTION item_07_total() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_07_v2;
$$;
