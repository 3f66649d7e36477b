-- Exam registration (考试报名, issue 16): staff publish exam batches per district and exam type
-- with a registration period and a capacity; an enterprise registers its employed people;
-- staff review each registration and, after the exam, record its outcome. `registered` counts
-- the registrations that hold a place (submitted or approved), raised and lowered in the same
-- statement that checks it against `capacity`, so parallel registrations never overfill.
CREATE TABLE exam_batches (
    id                     TEXT NOT NULL PRIMARY KEY,
    district_code          TEXT NOT NULL,
    exam_type              TEXT NOT NULL,
    title                  TEXT NOT NULL,
    registration_opens_on  TEXT NOT NULL,
    registration_closes_on TEXT NOT NULL,
    exam_on                TEXT NOT NULL,
    capacity               BIGINT NOT NULL CHECK (capacity > 0),
    registered             BIGINT NOT NULL DEFAULT 0 CHECK (registered >= 0 AND registered <= capacity),
    created_by             TEXT NOT NULL REFERENCES staff (id),
    created_at             BIGINT NOT NULL
);
CREATE INDEX exam_batches_district ON exam_batches (district_code, exam_on);

-- One registration of a person for a batch. The exam's type and date are copied from the
-- batch so the bars (a no-show bars for 6 months, cheating for a year) read one table.
CREATE TABLE exam_registrations (
    id            TEXT NOT NULL PRIMARY KEY,
    batch_id      TEXT NOT NULL REFERENCES exam_batches (id),
    person_id     TEXT NOT NULL REFERENCES people (id),
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    exam_type     TEXT NOT NULL,
    exam_on       TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('submitted', 'approved', 'rejected')),
    opinion       TEXT,
    reviewed_by   TEXT REFERENCES staff (id),
    reviewed_at   BIGINT,
    outcome       TEXT CHECK (outcome IN ('absent', 'cheating', 'failed', 'passed')),
    outcome_by    TEXT REFERENCES staff (id),
    outcome_at    BIGINT,
    created_at    BIGINT NOT NULL
);
-- A person holds at most one live registration per batch; after a rejection they may be
-- registered again.
CREATE UNIQUE INDEX exam_registrations_once ON exam_registrations (batch_id, person_id) WHERE state <> 'rejected';
CREATE INDEX exam_registrations_person ON exam_registrations (person_id, exam_on);
CREATE INDEX exam_registrations_enterprise ON exam_registrations (enterprise_id, created_at);
