CREATE TABLE scratch (id int);
CREATE INDEX scratch_id_idx ON scratch (id);
