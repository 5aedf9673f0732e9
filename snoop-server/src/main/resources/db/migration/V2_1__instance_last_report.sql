-- Retention (snoop serve --retention, docs/server.md): an instance is deleted once its last report
-- is older than the retention. last_report_at is the server's (the database's) time of the last
-- report that touched the instance, not the sidecar's clock. A trigger keeps it, so that the
-- store's upsert does not need to name it: every report updates its instances' rows (ON CONFLICT
-- DO UPDATE always does, a redelivery too), and an UPDATE that sets last_report_at itself keeps
-- its value (tests and tools can age an instance).
-- Numbered 2.1, not 2: another change may land as V2 beside this one; Flyway orders 2 before 2.1.

-- Existing rows get the time of this migration: each is kept a whole retention from now.
ALTER TABLE instance ADD COLUMN last_report_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX instance_last_report ON instance (last_report_at);

CREATE FUNCTION instance_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.last_report_at IS NOT DISTINCT FROM OLD.last_report_at THEN
        NEW.last_report_at := now();
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER instance_touch BEFORE UPDATE ON instance FOR EACH ROW EXECUTE FUNCTION instance_touch();
