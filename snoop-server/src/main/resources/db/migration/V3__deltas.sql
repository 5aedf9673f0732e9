-- Deltas (docs/server.md, "Deltas"): each instance keeps the checksum of its stored set of files,
-- updated in the transaction that changes the set, so that a delta is checked without reading the
-- set again. The sum of the files' hashes (SetChecksum), modulo 2^64 as a signed bigint; the
-- number of files is file_count.
--
-- Instances stored before this migration get NULL: their checksum is computed from their rows the
-- first time a report of theirs arrives. New instances start at 0, the empty set's.
ALTER TABLE instance ADD COLUMN checksum bigint;
ALTER TABLE instance ALTER COLUMN checksum SET DEFAULT 0;
