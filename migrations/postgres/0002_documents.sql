-- Documents: uploaded files and their metadata; the bytes live in the object store.
CREATE TABLE documents (
    id            TEXT PRIMARY KEY,
    owner_kind    TEXT NOT NULL CHECK (owner_kind IN ('person', 'enterprise')),
    owner_id      TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    object_key    TEXT NOT NULL UNIQUE,
    file_name     TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'available', 'locked')),
    -- A presigned upload's announced size and hash, checked on completion.
    expected_size BIGINT,
    expected_sha256 TEXT,
    -- The record the document is attached to, e.g. ('assessment_item', '<id>').
    attached_kind TEXT,
    attached_id   TEXT
);
CREATE INDEX documents_owner ON documents (owner_kind, owner_id, created_at);
CREATE INDEX documents_state ON documents (state, created_at);
CREATE INDEX documents_attached ON documents (attached_kind, attached_id);

-- Leases so that one instance at a time runs each background job.
CREATE TABLE job_leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
