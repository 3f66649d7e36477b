-- Staff review of flagged check-ins and the enterprise's appeal of refused ones.
--
-- Staff may void a flagged attempt: outcome 'voided' joins accepted, flagged and refused.
-- SQLite cannot alter a CHECK constraint, so check_in_attempts is rebuilt with the same
-- columns in the same order (no table references it); its id is now declared NOT NULL.
CREATE TABLE check_in_attempts_rebuilt (
    id                 TEXT NOT NULL PRIMARY KEY,
    task_id            TEXT NOT NULL REFERENCES verification_tasks (id),
    round              BIGINT NOT NULL,
    person_id          TEXT NOT NULL REFERENCES people (id),
    at                 BIGINT NOT NULL,
    outcome            TEXT NOT NULL CHECK (outcome IN ('accepted', 'flagged', 'refused', 'voided')),
    reason             TEXT,            -- the refusal's code
    flags              TEXT NOT NULL,   -- comma-separated signals for review
    latitude           REAL,
    longitude          REAL,
    coordinate_system  TEXT,
    accuracy_m         REAL,
    distance_m         REAL,
    face_distance      REAL,
    mock_location      BIGINT NOT NULL,
    selfie_document_id TEXT REFERENCES documents (id),
    selfie_hash        TEXT             -- 64-bit difference hash, hex
);
INSERT INTO check_in_attempts_rebuilt (id, task_id, round, person_id, at, outcome, reason, flags, latitude, longitude,
    coordinate_system, accuracy_m, distance_m, face_distance, mock_location, selfie_document_id, selfie_hash)
SELECT id, task_id, round, person_id, at, outcome, reason, flags, latitude, longitude,
    coordinate_system, accuracy_m, distance_m, face_distance, mock_location, selfie_document_id, selfie_hash
FROM check_in_attempts;
DROP TABLE check_in_attempts;
ALTER TABLE check_in_attempts_rebuilt RENAME TO check_in_attempts;
CREATE INDEX check_in_attempts_task ON check_in_attempts (task_id, round, person_id);
CREATE INDEX check_in_attempts_person ON check_in_attempts (person_id, at);
CREATE INDEX check_in_attempts_position ON check_in_attempts (latitude, longitude);

-- Only an accepted or flagged attempt holds the person's place in the round: a refused or
-- voided one does not, so the person may check in again.
CREATE UNIQUE INDEX check_in_attempts_once ON check_in_attempts (task_id, round, person_id)
    WHERE outcome = 'accepted' OR outcome = 'flagged';

-- Every decision on an attempt, with who and when: staff's review of a flagged attempt
-- (confirm | void), the enterprise's appeal of a refused one (lodged, with its note) and
-- staff's decision on the appeal (grant | dismiss). At most one of each kind per attempt.
CREATE TABLE check_in_decisions (
    id         TEXT NOT NULL PRIMARY KEY,
    attempt_id TEXT NOT NULL REFERENCES check_in_attempts (id),
    kind       TEXT NOT NULL CHECK (kind IN ('review', 'appeal', 'appeal_decision')),
    decision   TEXT NOT NULL CHECK (decision IN ('confirm', 'void', 'lodged', 'grant', 'dismiss')),
    text       TEXT NOT NULL,   -- the staff opinion or the enterprise's note
    decided_by TEXT NOT NULL,   -- account id
    at         BIGINT NOT NULL
);
CREATE UNIQUE INDEX check_in_decisions_once ON check_in_decisions (attempt_id, kind);
