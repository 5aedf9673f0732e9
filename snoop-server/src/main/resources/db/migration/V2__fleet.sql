-- The fleet read API (docs/fleet.md): what the queries over many instances need and V1 did not keep.

-- When the server first stored each file of an instance: the "new files over time" of an image
-- is the count of files by the earliest first_seen_at over its instances. The server's clock, not
-- the recorder's, so the resolution is the sidecar's delivery interval. Rows stored before this
-- migration get the time it ran (a constant default: PostgreSQL adds the column without a rewrite).
ALTER TABLE instance_file ADD COLUMN first_seen_at timestamptz NOT NULL DEFAULT now();

-- When the recording that saw the instance began (the report's started_at, the earliest of its
-- reports): an instance whose container was first seen later than that was recorded from the
-- container's start; one found at the recording's start may have run before it.
ALTER TABLE instance ADD COLUMN recording_started_at timestamptz;

-- Whether the instance's reports said how complete they were (failed_path_reads, unresolved_paths):
-- only the recorder writes it, an older or merged report does not, and "complete" is then unknown.
ALTER TABLE instance ADD COLUMN completeness_known boolean NOT NULL DEFAULT false;

-- The instances of an image are found by digest; the image table is small, its index is the key.
CREATE INDEX image_digest ON image (digest);

-- An image's file tree, uploaded by `snoop unused --attach` (docs/fleet.md#image-trees): the
-- gzip-compressed JSON as sent, checked before it is kept, replaced by a later upload.
CREATE TABLE image_tree (
    image_id     bigint PRIMARY KEY REFERENCES image,
    tree_gzip    bytea NOT NULL,
    entries      bigint NOT NULL CHECK (entries >= 0),
    bytes        bigint NOT NULL CHECK (bytes >= 0),
    uploaded_at  timestamptz NOT NULL DEFAULT now()
);
