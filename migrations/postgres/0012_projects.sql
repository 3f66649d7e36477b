-- Supervisors upload documents too (the signed project assessment form): documents gain the
-- owner kind `staff`.
ALTER TABLE documents DROP CONSTRAINT documents_owner_kind_check;
ALTER TABLE documents ADD CONSTRAINT documents_owner_kind_check CHECK (owner_kind IN ('person', 'enterprise', 'staff'));

-- Construction projects (工程项目): created by staff or imported from the permit platform's CSV.
CREATE TABLE projects (
    id              TEXT PRIMARY KEY,
    permit_number   TEXT NOT NULL UNIQUE,   -- 施工许可证编号
    name            TEXT NOT NULL,
    location        TEXT NOT NULL,
    district_code   TEXT NOT NULL,
    enterprise_id   TEXT NOT NULL REFERENCES enterprises (id),
    project_manager TEXT NOT NULL,
    building_area   DOUBLE PRECISION,                   -- m²
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX projects_district ON projects (district_code);
CREATE INDEX projects_enterprise ON projects (enterprise_id);

-- A supervisor's project safety production conditions assessment (项目安全生产条件考核).
-- Enterprise, project and project manager come from the project; district and building area
-- start from it and may be corrected.
CREATE TABLE project_assessments (
    id                 TEXT PRIMARY KEY,
    project_id         TEXT NOT NULL REFERENCES projects (id),
    template_id        TEXT NOT NULL REFERENCES assessment_templates (id),
    period             TEXT NOT NULL,
    supervisor_id      TEXT NOT NULL REFERENCES staff (id),
    state              TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'returned', 'deleted')),
    district_code      TEXT NOT NULL,
    building_area      DOUBLE PRECISION,
    inspection_details TEXT NOT NULL DEFAULT '',
    inspecting_unit    TEXT NOT NULL DEFAULT '',
    person_in_charge   TEXT NOT NULL DEFAULT '',
    person_phone       TEXT NOT NULL DEFAULT '',
    supervision_level  TEXT NOT NULL DEFAULT '',
    total_score        DOUBLE PRECISION,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE UNIQUE INDEX project_assessments_one_per_period ON project_assessments (project_id, period) WHERE state <> 'deleted';
CREATE INDEX project_assessments_district ON project_assessments (district_code, state);

CREATE TABLE project_assessment_scores (
    assessment_id TEXT NOT NULL REFERENCES project_assessments (id),
    number        TEXT NOT NULL,
    score         DOUBLE PRECISION,
    PRIMARY KEY (assessment_id, number)
);

-- Each submission as the city station received it (scores, details, documents), so that a
-- returned and corrected form never hides what was reviewed before.
CREATE TABLE project_assessment_submissions (
    assessment_id TEXT NOT NULL REFERENCES project_assessments (id),
    submission    BIGINT NOT NULL,
    submitted_by  TEXT NOT NULL,
    submitted_at  BIGINT NOT NULL,
    total_score   DOUBLE PRECISION NOT NULL,
    form          TEXT NOT NULL,   -- JSON of the form as submitted
    PRIMARY KEY (assessment_id, submission)
);

-- The signed scanned form (签字后的考核表扫描件) and other evidence.
CREATE TABLE project_assessment_documents (
    assessment_id TEXT NOT NULL REFERENCES project_assessments (id),
    document_id   TEXT NOT NULL REFERENCES documents (id),
    role          TEXT NOT NULL CHECK (role IN ('signed_form', 'evidence')),
    added_at      BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, document_id)
);

-- Every state change: who, when, from, to, with what opinion.
CREATE TABLE project_assessment_history (
    id            TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL REFERENCES project_assessments (id),
    from_state    TEXT NOT NULL,
    to_state      TEXT NOT NULL,
    actor         TEXT NOT NULL,
    opinion       TEXT,
    at            BIGINT NOT NULL
);
CREATE INDEX project_assessment_history_assessment ON project_assessment_history (assessment_id, at);
