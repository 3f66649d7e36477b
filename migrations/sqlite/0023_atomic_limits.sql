-- Atomic limits and prompt sign-out (issue 14, items 1, 5, 6).
--
-- Fixed-window counters for caps decided in one statement (INSERT … ON CONFLICT DO UPDATE …
-- WHERE used < limit RETURNING): SMS sends per account, per client address, per day, and the
-- resend interval of SMS codes.
CREATE TABLE rate_counters (
    key               TEXT NOT NULL PRIMARY KEY,
    used              BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL
);

-- Every instance reads the sign-in sessions revoked since its last look (a few seconds ago)
-- to refuse their access tokens at once.
CREATE INDEX refresh_tokens_revoked ON refresh_tokens (revoked_at);
