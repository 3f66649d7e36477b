-- Applications (办件, issue 16): the services on a certificate — employer change, cancellation,
-- renewal, supplement, correction —, the issue of a certificate after a passed exam, and an
-- enterprise's reissue under its new name. Each is a state machine walked along an approval
-- chain fixed when it is created (`steps`, e.g. `enterprise>district>city`; `step` is the index
-- of the step it waits for), with every act in `application_events`.
--
-- `applicant` is `person:<id>` or `enterprise:<id>`; while an application is in progress no
-- other may be (the manual's 无在办理业务), which the partial unique index decides atomically.
CREATE TABLE applications (
    id                       TEXT NOT NULL PRIMARY KEY,
    kind                     TEXT NOT NULL CHECK (kind IN ('employer_change', 'cancellation', 'renewal', 'supplement', 'correction', 'issue', 'name_change')),
    applicant                TEXT NOT NULL,
    person_id                TEXT REFERENCES people (id),
    certificate_id           TEXT REFERENCES certificates (id),
    -- The enterprise that confirms at an `enterprise` step (NULL when the chain has none).
    confirming_enterprise_id TEXT REFERENCES enterprises (id),
    -- The enterprise the application is for: the person's employer, the new employer in an
    -- employer change, the renamed enterprise; its district is the desk that handles it.
    enterprise_id            TEXT NOT NULL REFERENCES enterprises (id),
    district_code            TEXT NOT NULL,
    steps                    TEXT NOT NULL,
    step                     BIGINT NOT NULL,
    -- Who acts next: the current step's `enterprise`, `district` or `city`; NULL once ended.
    waiting_for              TEXT CHECK (waiting_for IN ('enterprise', 'district', 'city')),
    state                    TEXT NOT NULL CHECK (state IN ('in_progress', 'approved', 'refused', 'withdrawn')),
    -- JSON: what the application asks for (reason, corrected or supplemented data). Personal
    -- data in it is the applicant's own certificate data, never another person's.
    detail                   TEXT NOT NULL,
    -- The scan of the original or the proof (a PDF the applicant uploaded).
    document_id              TEXT REFERENCES documents (id),
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL,
    decided_at               BIGINT
);
CREATE UNIQUE INDEX applications_one_in_progress ON applications (applicant) WHERE state = 'in_progress';
CREATE INDEX applications_applicant ON applications (applicant, created_at);
CREATE INDEX applications_person ON applications (person_id, kind, decided_at);
-- The public list of cancellations, newest first.
CREATE INDEX applications_decided ON applications (kind, state, decided_at);
CREATE INDEX applications_certificate ON applications (certificate_id);
CREATE INDEX applications_enterprise ON applications (enterprise_id, created_at);
CREATE INDEX applications_confirming ON applications (confirming_enterprise_id, created_at);
CREATE INDEX applications_district ON applications (district_code, waiting_for, created_at);
CREATE INDEX applications_waiting ON applications (waiting_for, created_at);

-- Every act on an application, appended, never changed.
CREATE TABLE application_events (
    id              TEXT NOT NULL PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    step            BIGINT NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('submitted', 'confirmed', 'declined', 'accepted', 'approved', 'refused', 'withdrawn')),
    actor_kind      TEXT NOT NULL,
    actor_id        TEXT NOT NULL,
    opinion         TEXT,
    -- Whether the staff member checked the original at the desk (supplement, correction).
    original_checked BIGINT NOT NULL DEFAULT 0,
    at              BIGINT NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, at);

-- A cancellation application's precondition "no ongoing project" (本人无在建项目) needs the
-- project manager as a person: the keyed hash of their ID number, and when the project ended.
ALTER TABLE projects ADD COLUMN manager_holder_hash TEXT;
ALTER TABLE projects ADD COLUMN completed_on TEXT;
CREATE INDEX projects_manager ON projects (manager_holder_hash);

-- A special-operations exam is for one operation category (操作类别); a pass issues a
-- certificate of it. '' for the safety-management exams.
ALTER TABLE exam_batches ADD COLUMN category TEXT NOT NULL DEFAULT '';
