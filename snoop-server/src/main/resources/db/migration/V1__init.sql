-- snoop serve: every pod's evidence in one place (docs/server.md).
--
-- Sized for 1,000 container instances x 10,000 files: a file of an instance is one narrow row of
-- ids (instance_file), and each path's text is stored once (path), however many instances use it.
-- Everything an instance reports only grows: its files are a set, its counters are cumulative and
-- kept as the largest value seen, so a redelivered, duplicated or reordered report changes nothing.
-- Retention: nothing is ever deleted here; an instance outlives its workload.

-- The path dictionary. The unique key is the SHA-256 of the path's UTF-8 bytes, not the text: a
-- b-tree entry cannot exceed about 2,700 bytes, a path can be 4,095.
CREATE TABLE path (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    digest bytea NOT NULL UNIQUE CHECK (octet_length(digest) = 32),
    path   text NOT NULL
);

-- An image, by what identifies it: the digest if the report had one, else the reference.
CREATE TABLE image (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    image_key text NOT NULL UNIQUE,
    digest    text,
    ref       text
);

-- What owns the pods: a Deployment, StatefulSet, DaemonSet, a bare Pod, or a Host (no pod).
CREATE TABLE workload (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    namespace text NOT NULL,
    kind      text NOT NULL,
    name      text NOT NULL,
    UNIQUE (namespace, kind, name)
);

-- One run of one container: its pod, its name in the pod and when its recording started. A
-- restarted container is a new instance. Identity columns are set when the first report arrives
-- and never change; the counters only grow (GREATEST), the times only widen.
CREATE TABLE instance (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    namespace         text NOT NULL,          -- '' for a host
    pod_name          text NOT NULL,          -- '' for a host
    container_name    text NOT NULL,
    started_at        timestamptz NOT NULL,   -- 1970-01-01 when the report does not say
    workload_id       bigint NOT NULL REFERENCES workload,
    image_id          bigint REFERENCES image, -- null when the report names no image
    pod_uid           text,
    container_id      text,
    last_updated_at   timestamptz,
    last_new_file_at  timestamptz,
    total_events      bigint NOT NULL DEFAULT 0 CHECK (total_events >= 0),
    dropped_events    bigint NOT NULL DEFAULT 0 CHECK (dropped_events >= 0),
    failed_path_reads bigint NOT NULL DEFAULT 0 CHECK (failed_path_reads >= 0),
    unresolved_paths  bigint NOT NULL DEFAULT 0 CHECK (unresolved_paths >= 0),
    file_count        bigint NOT NULL DEFAULT 0, -- rows in instance_file, kept with each insert
    first_report_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (namespace, pod_name, container_name, started_at)
);
CREATE INDEX instance_image ON instance (image_id);
CREATE INDEX instance_workload ON instance (workload_id);

-- The files of one instance: a grow-only set. access holds the AccessKind bits seen (x=1, r=2,
-- d=4, m=8), ORed together over every report; 0 when no report said.
CREATE TABLE instance_file (
    instance_id bigint NOT NULL REFERENCES instance,
    path_id     bigint NOT NULL REFERENCES path,
    access      smallint NOT NULL DEFAULT 0 CHECK (access BETWEEN 0 AND 255),
    PRIMARY KEY (instance_id, path_id)
);
