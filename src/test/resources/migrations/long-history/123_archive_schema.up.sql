CREATE SCHEMA archive;
CREATE TABLE archive.old_items (id bigint PRIMARY KEY);
CREATE INDEX old_items_id_idx ON archive.old_items (id);
