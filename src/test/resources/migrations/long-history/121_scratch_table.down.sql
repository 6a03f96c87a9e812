DROP TABLE scratch;
