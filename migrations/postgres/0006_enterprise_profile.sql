-- The enterprise profile (issue 5 §1): basic information, the site's coordinates with their
-- coordinate system, locality, safety production licence, business licence and video, the
-- qualification certificates, and every change kept field by field.
ALTER TABLE enterprises ADD COLUMN registered_address TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN site_latitude DOUBLE PRECISION;
ALTER TABLE enterprises ADD COLUMN site_longitude DOUBLE PRECISION;
ALTER TABLE enterprises ADD COLUMN site_crs TEXT;
ALTER TABLE enterprises ADD COLUMN locality TEXT NOT NULL DEFAULT 'local';
ALTER TABLE enterprises ADD COLUMN safety_licence_number TEXT;
ALTER TABLE enterprises ADD COLUMN safety_licence_valid_until TEXT;
ALTER TABLE enterprises ADD COLUMN confirmed_at BIGINT;
ALTER TABLE enterprises ADD COLUMN business_licence_document_id TEXT REFERENCES documents (id);
ALTER TABLE enterprises ADD COLUMN video_document_id TEXT REFERENCES documents (id);

CREATE TABLE enterprise_qualifications (
    id                 TEXT PRIMARY KEY,
    enterprise_id      TEXT NOT NULL REFERENCES enterprises (id),
    category           TEXT NOT NULL,   -- e.g. 建筑工程施工总承包
    grade              TEXT NOT NULL,   -- e.g. 一级
    certificate_number TEXT,
    issued_on          TEXT NOT NULL,   -- YYYY-MM-DD
    created_at         BIGINT NOT NULL
);
CREATE INDEX enterprise_qualifications_enterprise ON enterprise_qualifications (enterprise_id);

CREATE TABLE enterprise_changes (
    id            TEXT PRIMARY KEY,
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    field         TEXT NOT NULL,
    old_value     TEXT,
    new_value     TEXT,
    changed_by    TEXT NOT NULL,   -- account id
    changed_role  TEXT NOT NULL,
    changed_at    BIGINT NOT NULL
);
CREATE INDEX enterprise_changes_enterprise ON enterprise_changes (enterprise_id, changed_at);
