-- Identity assurance: how a person's identity was established. Registration gives every
-- person `self_declared` (their own ID portrait and a live selfie, matched locally); each act
-- that raised it is one row here, saying which path was taken: a staff member at the
-- authority's desk compared the ID card (`staff_verified`, with who), or WeChat's face
-- verification (人脸核身) passed against the national database (`wechat_verified`, with the
-- verify_id). A person's level is the highest of their rows.
CREATE TABLE identity_assurances (
    id        TEXT NOT NULL PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    level     TEXT NOT NULL CHECK (level IN ('staff_verified', 'wechat_verified')),
    staff_id  TEXT REFERENCES staff (id),
    verify_id TEXT,
    at        BIGINT NOT NULL
);
CREATE INDEX identity_assurances_person ON identity_assurances (person_id, at);

-- WeChat face verification sessions: a verify_id from getverifyid, bound to one person, one
-- purpose and the object acted on, valid until WeChat's expiry, checked with queryverifyinfo
-- once. The id without its hyphens is the out_seq_no sent to WeChat.
CREATE TABLE wechat_face_sessions (
    id         TEXT NOT NULL PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('identity', 'check_in', 'employment_accept')),
    target_id  TEXT NOT NULL,
    verify_id  TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('issued', 'checking', 'passed', 'failed')),
    verify_ret BIGINT,
    checked_at BIGINT
);
CREATE INDEX wechat_face_sessions_person ON wechat_face_sessions (person_id, created_at);
