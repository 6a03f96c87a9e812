-- pgrunbook:allow rename nothing reads item_19 yet
ALTER TABLE item_19 RENAME TO item_19_v2;
-- pgrunbook:allow rename the function is new in this release
ALTER FUNCTION item_19_count() RENAME TO item_19_total;
CREATE OR REPLACE FUNCTION item_19_total() RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT count(*) FROM item_19_v2;
$$;
