-- A table with an index, as a feature's first migration does.
CREATE TABLE item_04 (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX item_04_name_idx ON item_04 (name);
