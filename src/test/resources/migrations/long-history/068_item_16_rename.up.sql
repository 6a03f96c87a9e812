-- pgrunbook:allow rename nothing reads item_16 yet
ALTER TABLE item_16 RENAME TO item_16_v2;
-- pgrunbook:allow rename the function is new in this release
ALTER FUNCTION item_16_count() RENAME TO item_16_total;
CREATE OR REPLACE FUNCTION item_16_total() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_16_v2;
$$;
