-- Foundation: accounts, tokens, sign-in throttling, SMS codes, the audit chain.
-- Times are Unix milliseconds (BIGINT), ids are UUIDv7 text: both engines read them alike.

CREATE TABLE staff (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('city', 'district', 'supervisor', 'sysadmin')),
    district_code TEXT,
    password_hash TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_by    TEXT REFERENCES staff (id),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    CHECK (role <> 'district' OR district_code IS NOT NULL)
);
CREATE INDEX staff_district ON staff (district_code);

CREATE TABLE enterprises (
    id            TEXT PRIMARY KEY,
    credit_code   TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    district_code TEXT NOT NULL,
    contact_name  TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_by    TEXT REFERENCES staff (id),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX enterprises_district ON enterprises (district_code);

CREATE TABLE people (
    id            TEXT PRIMARY KEY,
    openid        TEXT NOT NULL UNIQUE,
    status        TEXT NOT NULL DEFAULT 'unregistered' CHECK (status IN ('unregistered', 'registered', 'disabled')),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    last_login_at BIGINT NOT NULL
);

-- Refresh tokens are opaque; only their SHA-256 is kept. A family is one sign-in and all
-- the tokens rotated from it; reusing a spent token revokes the family.
CREATE TABLE refresh_tokens (
    id           TEXT PRIMARY KEY,
    family_id    TEXT NOT NULL,
    account_kind TEXT NOT NULL CHECK (account_kind IN ('staff', 'enterprise', 'person')),
    account_id   TEXT NOT NULL,
    channel      TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_kind, account_id);

-- Failed sign-ins per key (an account or a client address) within a window.
CREATE TABLE login_throttle (
    key               TEXT PRIMARY KEY,
    failures          BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    locked_until      BIGINT NOT NULL
);

-- One-time SMS codes; the code itself is kept only as an HMAC under the server key.
CREATE TABLE sms_codes (
    id          TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    consumed_at BIGINT
);
CREATE INDEX sms_codes_account ON sms_codes (purpose, account_id, created_at);

-- The audit log: append-only, each row chained to the previous by SHA-256.
-- audit_head holds the last sequence number and hash; appending updates it first, which
-- serialises appenders on both engines.
CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_events (
    seq        BIGINT PRIMARY KEY,
    at         BIGINT NOT NULL,
    request_id TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    role       TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    status     BIGINT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
