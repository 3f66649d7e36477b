-- Assessments (考核, DOMAIN.md §6): versioned templates, and enterprise self-assessments with
-- their rounds of submission and review, evidence, people lists and review records.

-- A template version never changes once published; editing a template publishes a new
-- version, and every assessment keeps the version it was created on.
CREATE TABLE assessment_templates (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('general_conditions', 'safety_director', 'project', 'licence_dynamic')),
    version     BIGINT NOT NULL,
    name        TEXT NOT NULL,
    change_note TEXT NOT NULL,
    created_by  TEXT,            -- NULL for the versions seeded at start-up
    created_at  BIGINT NOT NULL,
    UNIQUE (kind, version)
);

CREATE TABLE assessment_template_items (
    template_id       TEXT NOT NULL REFERENCES assessment_templates (id),
    number            TEXT NOT NULL,
    position          BIGINT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('scored', 'people', 'attachments')),
    title             TEXT NOT NULL,
    standard          TEXT NOT NULL,
    max_score         REAL,      -- scored items only
    evidence_required BIGINT NOT NULL CHECK (evidence_required IN (0, 1)),
    -- JSON array: the roles of a people list, or the named attachments of an attachment list.
    slots             TEXT NOT NULL DEFAULT '[]',
    -- 1 where the manuals do not give the item's wording and it was reconstructed.
    reconstructed     BIGINT NOT NULL DEFAULT 0 CHECK (reconstructed IN (0, 1)),
    PRIMARY KEY (template_id, number)
);

CREATE TABLE assessments (
    id            TEXT PRIMARY KEY,
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    template_id   TEXT NOT NULL REFERENCES assessment_templates (id),
    kind          TEXT NOT NULL,
    period        TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'under_review', 'approved', 'returned', 'deleted')),
    -- The round being edited or reviewed; a return opens the next one.
    round         BIGINT NOT NULL,
    return_reason TEXT CHECK (return_reason IN ('rejected', 'rectification')),
    result        TEXT CHECK (result IN ('qualified', 'basically_qualified', 'unqualified')),
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX assessments_one_per_period ON assessments (enterprise_id, kind, period) WHERE state <> 'deleted';
CREATE INDEX assessments_state ON assessments (kind, state, updated_at);

-- One row per submitted round: who submitted and finished it, and how it ended.
CREATE TABLE assessment_rounds (
    assessment_id  TEXT NOT NULL REFERENCES assessments (id),
    round          BIGINT NOT NULL,
    submitted_by   TEXT NOT NULL,
    submitted_at   BIGINT NOT NULL,
    submit_opinion TEXT NOT NULL,
    finished_by    TEXT,
    finished_at    BIGINT,
    finish_opinion TEXT,
    outcome        TEXT CHECK (outcome IN ('approved', 'returned', 'rectification')),
    result         TEXT,
    self_total     REAL,
    assessed_total REAL,
    PRIMARY KEY (assessment_id, round)
);

-- Each item in each round; a new round starts as a copy of the previous one.
CREATE TABLE assessment_items (
    assessment_id      TEXT NOT NULL REFERENCES assessments (id),
    round              BIGINT NOT NULL,
    number             TEXT NOT NULL,
    self_score         REAL,
    self_note          TEXT NOT NULL DEFAULT '',
    assessed_score     REAL,
    review_state       TEXT NOT NULL DEFAULT 'pending' CHECK (review_state IN ('pending', 'passed', 'rejected')),
    review_opinion     TEXT,
    rectification_note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (assessment_id, round, number)
);

-- Evidence and rectification material per item and round (PDF documents).
CREATE TABLE assessment_documents (
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    round         BIGINT NOT NULL,
    number        TEXT NOT NULL,
    document_id   TEXT NOT NULL REFERENCES documents (id),
    role          TEXT NOT NULL CHECK (role IN ('evidence', 'rectification')),
    slot          TEXT NOT NULL DEFAULT '',
    added_by      TEXT NOT NULL,
    added_at      BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, round, number, document_id)
);
CREATE INDEX assessment_documents_document ON assessment_documents (document_id);

-- People lists (Jinan licence assessment): each person with certificate fields and a scan.
CREATE TABLE assessment_people (
    id                      TEXT PRIMARY KEY,
    assessment_id           TEXT NOT NULL REFERENCES assessments (id),
    round                   BIGINT NOT NULL,
    number                  TEXT NOT NULL,
    role                    TEXT NOT NULL,
    name                    TEXT NOT NULL,
    id_number_sealed        TEXT NOT NULL,
    id_number_masked        TEXT NOT NULL,
    position                TEXT NOT NULL,
    certificate_name        TEXT NOT NULL,
    certificate_number      TEXT NOT NULL,
    certificate_valid_until TEXT,
    scan_document_id        TEXT NOT NULL REFERENCES documents (id),
    created_at              BIGINT NOT NULL
);
CREATE INDEX assessment_people_item ON assessment_people (assessment_id, round, number);

-- Every reviewer act on an item (考核记录): accepting or overriding the score, passing or
-- rejecting the item.
CREATE TABLE assessment_reviews (
    id            TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    round         BIGINT NOT NULL,
    number        TEXT NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('accept', 'override', 'pass', 'reject')),
    score         REAL,
    opinion       TEXT,
    reviewer      TEXT NOT NULL,
    at            BIGINT NOT NULL
);
CREATE INDEX assessment_reviews_item ON assessment_reviews (assessment_id, number, at);

-- Every state change: who, when, from, to, with what opinion.
CREATE TABLE assessment_history (
    id            TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    round         BIGINT NOT NULL,
    from_state    TEXT NOT NULL,
    to_state      TEXT NOT NULL,
    actor         TEXT NOT NULL,
    opinion       TEXT,
    at            BIGINT NOT NULL
);
CREATE INDEX assessment_history_assessment ON assessment_history (assessment_id, at);
