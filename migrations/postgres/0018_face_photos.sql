-- The face photo registry: every face photo a flow accepted (ID portrait, registration,
-- employment-acceptance and check-in selfies), its 64-bit difference hash kept whole (the
-- u64's bits as a BIGINT) and as four 16-bit bands, each indexed: a photo within r bits of
-- another matches it in at least one band within r/4 bits (multi-index hashing), so a
-- near-duplicate search probes the four indexes instead of reading every hash.
-- document_id is kept without a foreign key: the record stays when the document is deleted.
CREATE TABLE face_photos (
    id          TEXT NOT NULL PRIMARY KEY,
    hash        BIGINT NOT NULL,
    band0       BIGINT NOT NULL,
    band1       BIGINT NOT NULL,
    band2       BIGINT NOT NULL,
    band3       BIGINT NOT NULL,
    flow        TEXT NOT NULL CHECK (flow IN ('id_portrait', 'registration_selfie', 'acceptance_selfie', 'check_in_selfie')),
    person_id   TEXT NOT NULL REFERENCES people (id),
    document_id TEXT,
    at          BIGINT NOT NULL
);
-- Each band's index carries the whole hash, so the candidates' distances are read from the
-- indexes alone, without visiting the table.
CREATE INDEX face_photos_band0 ON face_photos (band0, hash);
CREATE INDEX face_photos_band1 ON face_photos (band1, hash);
CREATE INDEX face_photos_band2 ON face_photos (band2, hash);
CREATE INDEX face_photos_band3 ON face_photos (band3, hash);

-- Check-in selfies hashed before the registry existed (16 hex digits in the attempt), each
-- under its attempt's id.
INSERT INTO face_photos (id, hash, band0, band1, band2, band3, flow, person_id, document_id, at)
SELECT id, h, h & 65535, (h >> 16) & 65535, (h >> 32) & 65535, (h >> 48) & 65535, 'check_in_selfie', person_id, selfie_document_id, at
FROM (
    SELECT id, person_id, selfie_document_id, at, ('x' || selfie_hash)::bit(64)::bigint AS h
    FROM check_in_attempts
    WHERE length(selfie_hash) = 16
) AS old;
