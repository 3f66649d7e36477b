-- Staff qualifications (issue 5 §5): registration certificates (注册证) and professional titles
-- (职称) of an enterprise's employees, each with its scan; and the technical lead (技术负责人).
CREATE TABLE staff_certificates (
    id            TEXT PRIMARY KEY,
    employment_id TEXT NOT NULL REFERENCES employments (id),
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    person_id     TEXT NOT NULL REFERENCES people (id),
    kind          TEXT NOT NULL CHECK (kind IN ('registration', 'title')),
    name          TEXT NOT NULL,  -- registration type, or title
    number        TEXT,           -- registration certificate number
    specialty     TEXT,           -- the title's specialty
    valid_until   TEXT,           -- YYYY-MM-DD, registration certificates
    document_id   TEXT NOT NULL REFERENCES documents (id),
    created_at    BIGINT NOT NULL
);
CREATE INDEX staff_certificates_employment ON staff_certificates (employment_id);

ALTER TABLE employments ADD COLUMN technical_lead BIGINT NOT NULL DEFAULT 0;
-- One technical lead per enterprise among its current staff.
CREATE UNIQUE INDEX employments_one_technical_lead ON employments (enterprise_id) WHERE technical_lead = 1 AND state = 'active';
