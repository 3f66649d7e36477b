-- Certificates (DOMAIN.md §7, seeds 002 and 003): safety-management certificates (安管人员
-- A/B/C) and special-operations certificates (特种作业, with the operation category), matched
-- to their holder by the keyed hash of the ID number (as person_identities.id_number_hash), the
-- holder's ID number and name sealed with the data key (context `certificate:<id>:<field>`).
-- A certificate's status (in use, newly archived, transferred in, unavailable with reasons) is
-- computed when read (certificates::rules), never stored; `state` is only whether it still
-- stands. `replaced_by` is the certificate that replaced it (a change or renewal application).
CREATE TABLE certificates (
    id                     TEXT NOT NULL PRIMARY KEY,
    kind                   TEXT NOT NULL CHECK (kind IN ('safety_a', 'safety_b', 'safety_c', 'special')),
    -- The special-operations category (操作类别); '' for safety-management certificates.
    category               TEXT NOT NULL,
    number                 TEXT NOT NULL,
    holder_hash            TEXT NOT NULL,
    holder_id_sealed       TEXT NOT NULL,
    holder_id_masked       TEXT NOT NULL,
    holder_name_sealed     TEXT NOT NULL,
    -- The keyed hash of the name, for the public lookup by number and name.
    holder_name_hash       TEXT NOT NULL,
    enterprise_credit_code TEXT NOT NULL,
    enterprise_name        TEXT NOT NULL,
    issued_on              TEXT NOT NULL,   -- YYYY-MM-DD
    expires_on             TEXT NOT NULL,
    origin                 TEXT NOT NULL CHECK (origin IN ('imported', 'supplement', 'transfer_in', 'issued')),
    state                  TEXT NOT NULL CHECK (state IN ('valid', 'cancelled', 'replaced')),
    replaced_by            TEXT REFERENCES certificates (id),
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
-- A number is unique per kind; the public lookup finds by number alone.
CREATE UNIQUE INDEX certificates_kind_number ON certificates (kind, number);
CREATE INDEX certificates_number ON certificates (number);
-- My certificates, and how many of a kind a holder holds.
CREATE INDEX certificates_holder ON certificates (holder_hash, kind, category);
CREATE INDEX certificates_enterprise ON certificates (enterprise_credit_code);
-- Lists, newest first.
CREATE INDEX certificates_created ON certificates (created_at, id);

-- The track (证书轨迹): every event of a certificate, appended, never changed.
CREATE TABLE certificate_events (
    id             TEXT NOT NULL PRIMARY KEY,
    certificate_id TEXT NOT NULL REFERENCES certificates (id),
    kind           TEXT NOT NULL CHECK (kind IN ('import', 'issue', 'change', 'renewal', 'cancellation', 'correction')),
    actor_kind     TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    at             BIGINT NOT NULL,
    -- JSON: what the event set or changed (no personal data in clear).
    detail         TEXT NOT NULL,
    -- The application (办件) that made the event, once applications exist.
    application_id TEXT
);
CREATE INDEX certificate_events_certificate ON certificate_events (certificate_id, at);
