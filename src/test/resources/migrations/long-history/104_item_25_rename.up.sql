-- pgrunbook:allow rename nothing reads item_25 yet
ALTER TABLE item_25 RENAME TO item_25_v2;
-- pgrunbook:allow rename the function is new in this release
ALTER FUNCTION item_25_count() RENAME TO item_25_total;
CREATE OR REPLACE FUNCTION item_25_total() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_25_v2;
$$;
