-- Check-in (打卡): every attempt, accepted or refused, with what was measured.
ALTER TABLE enterprises ADD COLUMN site_radius_m DOUBLE PRECISION;  -- staff may widen or narrow one site's fence

CREATE TABLE check_in_attempts (
    id                 TEXT PRIMARY KEY,
    task_id            TEXT NOT NULL REFERENCES verification_tasks (id),
    round              BIGINT NOT NULL,
    person_id          TEXT NOT NULL REFERENCES people (id),
    at                 BIGINT NOT NULL,
    outcome            TEXT NOT NULL CHECK (outcome IN ('accepted', 'flagged', 'refused')),
    reason             TEXT,            -- the refusal's code
    flags              TEXT NOT NULL,   -- comma-separated signals for review
    latitude           DOUBLE PRECISION,
    longitude          DOUBLE PRECISION,
    coordinate_system  TEXT,
    accuracy_m         DOUBLE PRECISION,
    distance_m         DOUBLE PRECISION,
    face_distance      DOUBLE PRECISION,
    mock_location      BIGINT NOT NULL,
    selfie_document_id TEXT REFERENCES documents (id),
    selfie_hash        TEXT             -- 64-bit difference hash, hex
);
CREATE INDEX check_in_attempts_task ON check_in_attempts (task_id, round, person_id);
CREATE INDEX check_in_attempts_person ON check_in_attempts (person_id, at);
