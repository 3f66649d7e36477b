-- One face, one identity (issue 13, part 4).
--
-- A registration whose face matches another enrolled identity is held for city staff:
-- person_identities.state 'held' until approved ('active') or refused (the identity is
-- removed, so its ID number is free again and its face leaves the index). The person's account
-- stays 'unregistered' while held.
ALTER TABLE person_identities ADD COLUMN state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'held'));

-- The in-memory face index's change log, one row per person whose enrolled face changed
-- (registered, held, replaced, removed), stamped with the sequence number of its last change.
-- Every instance applies the rows after the last number it has seen before it searches
-- (an index range scan on seq); a row whose person has no identity any more removes the face.
-- Writers take the next number by updating face_index_head, which holds its row lock (SQLite:
-- the write lock) until they commit, so numbers become visible in order and none is skipped.
CREATE TABLE face_index (
    person_id TEXT NOT NULL PRIMARY KEY REFERENCES people (id),
    seq       BIGINT NOT NULL
);
CREATE UNIQUE INDEX face_index_seq ON face_index (seq);
CREATE TABLE face_index_head (
    id  BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO face_index (person_id, seq)
SELECT person_id, ROW_NUMBER() OVER (ORDER BY registered_at, person_id) FROM person_identities;
INSERT INTO face_index_head (id, seq) SELECT 1, COUNT(*) FROM person_identities;

-- A held registration and city staff's decision on it (approve: twins exist; refuse).
CREATE TABLE registration_reviews (
    id                   TEXT NOT NULL PRIMARY KEY,
    person_id            TEXT NOT NULL REFERENCES people (id),
    state                TEXT NOT NULL CHECK (state IN ('held', 'approved', 'refused')),
    id_number_masked     TEXT NOT NULL,
    portrait_document_id TEXT NOT NULL REFERENCES documents (id),
    selfie_document_id   TEXT NOT NULL REFERENCES documents (id),
    held_at              BIGINT NOT NULL,
    decided_by           TEXT,
    decided_at           BIGINT,
    reason               TEXT
);
CREATE UNIQUE INDEX registration_reviews_one_held ON registration_reviews (person_id) WHERE state = 'held';
CREATE INDEX registration_reviews_state ON registration_reviews (state, held_at);

-- The evidence: which enrolled identities the face matched, at what distance, when.
CREATE TABLE registration_review_matches (
    review_id         TEXT NOT NULL REFERENCES registration_reviews (id),
    matched_person_id TEXT NOT NULL REFERENCES people (id),
    distance          DOUBLE PRECISION NOT NULL,
    found_at          BIGINT NOT NULL,
    PRIMARY KEY (review_id, matched_person_id)
);
CREATE INDEX registration_review_matches_person ON registration_review_matches (matched_person_id);

-- Least privilege on faces: reading a check-in selfie asks whether it belongs to an attempt.
CREATE INDEX check_in_attempts_selfie ON check_in_attempts (selfie_document_id);
