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
SELECT id, (b3 << 48) | (b2 << 32) | (b1 << 16) | b0, b0, b1, b2, b3, 'check_in_selfie', person_id, selfie_document_id, at
FROM (
    SELECT id, person_id, selfie_document_id, at,
         (instr('0123456789abcdef', lower(substr(selfie_hash, 13, 1))) - 1) * 4096
         + (instr('0123456789abcdef', lower(substr(selfie_hash, 14, 1))) - 1) * 256
         + (instr('0123456789abcdef', lower(substr(selfie_hash, 15, 1))) - 1) * 16
         + (instr('0123456789abcdef', lower(substr(selfie_hash, 16, 1))) - 1) AS b0,
         (instr('0123456789abcdef', lower(substr(selfie_hash, 9, 1))) - 1) * 4096
         + (instr('0123456789abcdef', lower(substr(selfie_hash, 10, 1))) - 1) * 256
         + (instr('0123456789abcdef', lower(substr(selfie_hash, 11, 1))) - 1) * 16
         + (instr('0123456789abcdef', lower(substr(selfie_hash, 12, 1))) - 1) AS b1,
         (instr('0123456789abcdef', lower(substr(selfie_hash, 5, 1))) - 1) * 4096
         + (instr('0123456789abcdef', lower(substr(selfie_hash, 6, 1))) - 1) * 256
         + (instr('0123456789abcdef', lower(substr(selfie_hash, 7, 1))) - 1) * 16
         + (instr('0123456789abcdef', lower(substr(selfie_hash, 8, 1))) - 1) AS b2,
         (instr('0123456789abcdef', lower(substr(selfie_hash, 1, 1))) - 1) * 4096
         + (instr('0123456789abcdef', lower(substr(selfie_hash, 2, 1))) - 1) * 256
         + (instr('0123456789abcdef', lower(substr(selfie_hash, 3, 1))) - 1) * 16
         + (instr('0123456789abcdef', lower(substr(selfie_hash, 4, 1))) - 1) AS b3
    FROM check_in_attempts
    WHERE length(selfie_hash) = 16
) AS old;
