-- A table with an index, as a feature's first migration does.
CREATE TABLE item_12 (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX item_12_name_idx ON item_12 (name);
