-- Employment (DOMAIN.md §3): an enterprise's request, the person's face-checked answer in the
-- mini-program, and the relation that follows.

CREATE TABLE employment_requests (
    id             TEXT PRIMARY KEY,
    enterprise_id  TEXT NOT NULL REFERENCES enterprises (id),
    person_id      TEXT NOT NULL REFERENCES people (id),
    position       TEXT NOT NULL,
    contract_start TEXT NOT NULL,   -- YYYY-MM-DD
    contract_end   TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'refused', 'expired', 'withdrawn')),
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    decided_at     BIGINT
);
-- One pending request per enterprise and person.
CREATE UNIQUE INDEX employment_requests_one_pending ON employment_requests (enterprise_id, person_id) WHERE state = 'pending';
CREATE INDEX employment_requests_person ON employment_requests (person_id, state);

CREATE TABLE employments (
    id             TEXT PRIMARY KEY,
    enterprise_id  TEXT NOT NULL REFERENCES enterprises (id),
    person_id      TEXT NOT NULL REFERENCES people (id),
    request_id     TEXT NOT NULL UNIQUE REFERENCES employment_requests (id),
    position       TEXT NOT NULL,
    contract_start TEXT NOT NULL,
    contract_end   TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('active', 'ended')),
    started_at     BIGINT NOT NULL,
    ended_at       BIGINT,
    ended_by       TEXT,            -- 'enterprise' or 'person'
    end_reason     TEXT
);
-- One employer at a time, enforced by the database: two acceptances racing cannot both land.
CREATE UNIQUE INDEX employments_one_active ON employments (person_id) WHERE state = 'active';
CREATE INDEX employments_enterprise ON employments (enterprise_id, state);

-- Single-use challenges for face-checked acts (accepting employment, checking in).
CREATE TABLE challenges (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people (id),
    purpose    TEXT NOT NULL,
    target_id  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX challenges_person ON challenges (person_id, created_at);

-- The notification outbox: written with the change it reports, delivered by a worker.
CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    channel         TEXT NOT NULL CHECK (channel IN ('inbox', 'sms')),
    recipient_kind  TEXT NOT NULL,
    recipient_id    TEXT NOT NULL,
    kind            TEXT NOT NULL,
    params          TEXT NOT NULL,  -- JSON
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT,
    read_at         BIGINT
);
CREATE INDEX notifications_due ON notifications (state, next_attempt_at);
CREATE INDEX notifications_recipient ON notifications (recipient_kind, recipient_id, created_at);
