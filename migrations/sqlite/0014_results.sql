-- Final results (seed 001 §3.3.2): each category's grading rule as set by city staff (absent:
-- the defaults documented in src/assessments/results/grading.rs), and every dynamic adjustment.
CREATE TABLE grading_rules (
    category       TEXT PRIMARY KEY CHECK (category IN ('safety_director', 'licence', 'construction_enterprise', 'project')),
    weights        TEXT NOT NULL,   -- JSON object: input → weight
    excellent_from REAL NOT NULL,
    good_from      REAL NOT NULL,
    qualified_from REAL NOT NULL,
    updated_by     TEXT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE result_adjustments (
    id          TEXT PRIMARY KEY,
    category    TEXT NOT NULL,
    subject_id  TEXT NOT NULL,      -- an enterprise, or a project for the project category
    period      TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('promote', 'unqualified')),
    reason_code TEXT NOT NULL,
    opinion     TEXT NOT NULL,
    from_grade  TEXT NOT NULL,
    to_grade    TEXT NOT NULL,
    adjusted_by TEXT NOT NULL,
    adjusted_at BIGINT NOT NULL
);
CREATE INDEX result_adjustments_subject ON result_adjustments (category, period, subject_id, adjusted_at);
