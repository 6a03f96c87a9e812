-- pgrunbook:allow rename nothing reads item_04 yet
ALTER TABLE item_04 RENAME TO item_04_v2;
-- pgrunbook:allow rename the function is new in this release
ALTER FUNCTION item_04_count() RENAME TO item_04_total;
CREATE OR REPLACE FUNCTION item_04_total() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_04_v2;
$$;
