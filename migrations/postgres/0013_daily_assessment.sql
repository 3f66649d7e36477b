-- Daily assessment (日常考核, seed 001 §3.3.1.4): bonus events reported by enterprises (awards
-- for safe and civilised construction) and deductions recorded by staff (poor site
-- management, penalties), each reviewed. Point values come from an editable table.
CREATE TABLE daily_event_types (
    code       TEXT PRIMARY KEY,
    category   TEXT NOT NULL CHECK (category IN ('bonus', 'deduction')),
    name       TEXT NOT NULL,
    points     DOUBLE PRECISION NOT NULL,   -- added to the final score: positive for bonuses, negative for deductions
    updated_by TEXT,
    updated_at BIGINT NOT NULL
);
-- Defaults until the city sets its own values (the Qingdao guide's table is not available).
INSERT INTO daily_event_types (code, category, name, points, updated_at) VALUES
    ('award_national', 'bonus', '获得国家级安全文明施工类奖项', 5, 0),
    ('award_provincial', 'bonus', '获得省级安全文明施工类奖项', 3, 0),
    ('award_municipal', 'bonus', '获得市级安全文明施工类奖项', 1, 0),
    ('poor_site_management', 'deduction', '施工现场安全文明施工管理不到位', -2, 0),
    ('authority_penalty', 'deduction', '被主管部门处罚', -5, 0);

CREATE TABLE daily_events (
    id            TEXT PRIMARY KEY,
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    project_id    TEXT REFERENCES projects (id),
    type_code     TEXT NOT NULL REFERENCES daily_event_types (code),
    occurred_on   TEXT NOT NULL,      -- YYYY-MM-DD; its year is the assessment period
    description   TEXT NOT NULL,
    -- The type's value when the event was passed; later changes to the table do not alter it.
    points        DOUBLE PRECISION,
    state         TEXT NOT NULL CHECK (state IN ('submitted', 'approved', 'returned', 'deleted')),
    reported_by   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX daily_events_enterprise ON daily_events (enterprise_id, occurred_on);
CREATE INDEX daily_events_state ON daily_events (state, updated_at);

CREATE TABLE daily_event_documents (
    event_id    TEXT NOT NULL REFERENCES daily_events (id),
    document_id TEXT NOT NULL REFERENCES documents (id),
    PRIMARY KEY (event_id, document_id)
);

CREATE TABLE daily_event_history (
    id         TEXT PRIMARY KEY,
    event_id   TEXT NOT NULL REFERENCES daily_events (id),
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    opinion    TEXT,
    at         BIGINT NOT NULL
);
CREATE INDEX daily_event_history_event ON daily_event_history (event_id, at);
