-- Sessions of the staff web console (src/console/): the cookie carries a random token, the
-- table its SHA-256 (as for refresh tokens), the form token (CSRF) of the session, and the
-- times that bound it: idle (last_seen_at) and absolute (expires_at) expiry.
CREATE TABLE console_sessions (
    id           TEXT NOT NULL PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    account_kind TEXT NOT NULL CHECK (account_kind IN ('staff', 'enterprise', 'person')),
    account_id   TEXT NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX console_sessions_account ON console_sessions (account_kind, account_id);
