-- Staff review of flagged check-ins and the enterprise's appeal of refused ones.
--
-- Staff may void a flagged attempt: outcome 'voided' joins accepted, flagged and refused.
ALTER TABLE check_in_attempts DROP CONSTRAINT check_in_attempts_outcome_check;
ALTER TABLE check_in_attempts ADD CONSTRAINT check_in_attempts_outcome_check
    CHECK (outcome IN ('accepted', 'flagged', 'refused', 'voided'));

-- Only an accepted or flagged attempt holds the person's place in the round: a refused or
-- voided one does not, so the person may check in again.
DROP INDEX check_in_attempts_once;
CREATE UNIQUE INDEX check_in_attempts_once ON check_in_attempts (task_id, round, person_id)
    WHERE outcome = 'accepted' OR outcome = 'flagged';

-- Every decision on an attempt, with who and when: staff's review of a flagged attempt
-- (confirm | void), the enterprise's appeal of a refused one (lodged, with its note) and
-- staff's decision on the appeal (grant | dismiss). At most one of each kind per attempt.
CREATE TABLE check_in_decisions (
    id         TEXT PRIMARY KEY,
    attempt_id TEXT NOT NULL REFERENCES check_in_attempts (id),
    kind       TEXT NOT NULL CHECK (kind IN ('review', 'appeal', 'appeal_decision')),
    decision   TEXT NOT NULL CHECK (decision IN ('confirm', 'void', 'lodged', 'grant', 'dismiss')),
    text       TEXT NOT NULL,   -- the staff opinion or the enterprise's note
    decided_by TEXT NOT NULL,   -- account id
    at         BIGINT NOT NULL
);
CREATE UNIQUE INDEX check_in_decisions_once ON check_in_decisions (attempt_id, kind);
