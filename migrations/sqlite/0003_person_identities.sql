-- Real-name registration: one verified identity per person account. Personal data is sealed
-- with AES-256-GCM (the *_sealed columns); the ID number's keyed hash (HMAC) finds an
-- identity without decrypting, and its unique index keeps one identity to one account.
CREATE TABLE person_identities (
    person_id            TEXT PRIMARY KEY REFERENCES people (id),
    id_number_hash       TEXT NOT NULL UNIQUE,
    id_number_sealed     TEXT NOT NULL,
    id_number_masked     TEXT NOT NULL,
    name_sealed          TEXT NOT NULL,
    phone_sealed         TEXT NOT NULL,
    phone_masked         TEXT NOT NULL,
    portrait_document_id TEXT NOT NULL REFERENCES documents (id),
    selfie_document_id   TEXT NOT NULL REFERENCES documents (id),
    -- The enrolled face: the mean of the portrait's and the selfie's 128-d descriptors.
    face_sealed          TEXT NOT NULL,
    registered_at        BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
