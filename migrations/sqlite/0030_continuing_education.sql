-- Training institutions sign in: refresh tokens gain the account kind `training`. SQLite
-- cannot change a CHECK in place, so the table is rebuilt as it was but for the CHECK (no
-- foreign key refers to it).
CREATE TEMP TABLE refresh_tokens_copy AS SELECT * FROM refresh_tokens;
DROP TABLE refresh_tokens;
CREATE TABLE refresh_tokens (
    id           TEXT PRIMARY KEY,
    family_id    TEXT NOT NULL,
    account_kind TEXT NOT NULL CHECK (account_kind IN ('staff', 'enterprise', 'person', 'training')),
    account_id   TEXT NOT NULL,
    channel      TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT,
    revoked_at   BIGINT
);
INSERT INTO refresh_tokens SELECT * FROM refresh_tokens_copy;
DROP TABLE refresh_tokens_copy;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_kind, account_id);
CREATE INDEX refresh_tokens_revoked ON refresh_tokens (revoked_at);

-- Training institutions (培训机构, issue 16): accounts city staff and system administrators
-- open, signing in with a username and password, whose one right is entering
-- continuing-education records.
CREATE TABLE training_institutions (
    id            TEXT NOT NULL PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    -- The institution's unified social credit code, when given.
    credit_code   TEXT,
    password_hash TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_by    TEXT NOT NULL REFERENCES staff (id),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- Continuing-education records (继续教育, seeds 002 and 003: "先由培训机构上传继续教育合格记录"),
-- one course a holder completed, for a kind of certificate (and the special-operations
-- category). The holder is matched as certificates are, by the keyed hash of the ID number;
-- the ID number and name are sealed (context `continuing_education:<id>:<field>`), the ID
-- number also kept masked. A renewal counts the hours of passed records (training::store).
CREATE TABLE continuing_education (
    id                 TEXT NOT NULL PRIMARY KEY,
    institution_id     TEXT NOT NULL REFERENCES training_institutions (id),
    holder_hash        TEXT NOT NULL,
    holder_id_sealed   TEXT NOT NULL,
    holder_id_masked   TEXT NOT NULL,
    holder_name_sealed TEXT NOT NULL,
    certificate_kind   TEXT NOT NULL CHECK (certificate_kind IN ('safety_a', 'safety_b', 'safety_c', 'special')),
    -- The special-operations category code; '' for safety-management certificates.
    category           TEXT NOT NULL,
    course             TEXT NOT NULL,
    hours              BIGINT NOT NULL CHECK (hours BETWEEN 1 AND 200),
    completed_on       TEXT NOT NULL,   -- YYYY-MM-DD
    passed             BIGINT NOT NULL CHECK (passed IN (0, 1)),
    created_at         BIGINT NOT NULL
);
-- An institution records a course for a holder, kind and category once a day: importing a
-- file twice cannot count its hours twice.
CREATE UNIQUE INDEX continuing_education_once
    ON continuing_education (institution_id, holder_hash, certificate_kind, category, course, completed_on);
-- A holder's records (theirs to read, and the hours a renewal counts).
CREATE INDEX continuing_education_holder ON continuing_education (holder_hash, certificate_kind, category, completed_on);
-- An institution's records, newest first.
CREATE INDEX continuing_education_institution ON continuing_education (institution_id, created_at, id);
-- Lists, newest first.
CREATE INDEX continuing_education_created ON continuing_education (created_at, id);
