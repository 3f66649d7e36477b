-- The staff inbox counts each queue apart from its first page (notify::awaiting::queue). A
-- district's count joins the waiting rows to the district's enterprises; with these indexes
-- both sides are read from the index alone, not row by row from the tables (issue 19's city
-- bench: a district of 20,000 enterprises and a city's 10,000 self-assessments under review).
DROP INDEX enterprises_district;
CREATE INDEX enterprises_district ON enterprises (district_code, id);
DROP INDEX assessments_waiting;
CREATE INDEX assessments_waiting ON assessments (updated_at, id, state, enterprise_id)
    WHERE state <> 'draft' AND state <> 'approved' AND state <> 'returned' AND state <> 'deleted';
DROP INDEX check_in_attempts_flagged;
CREATE INDEX check_in_attempts_flagged ON check_in_attempts (at, id, task_id) WHERE outcome = 'flagged';

-- Check-ins waiting for staff, by district: each attempt keeps its enterprise's district (set
-- when it is made, and moved with the enterprise), so a district's queue of flagged check-ins
-- is one range of an index, not the whole city's flagged check-ins joined to their tasks and
-- enterprises to find the district's. Attempts made before this migration keep none, except
-- those waiting for staff now (flagged, or appealed): only waiting attempts are read by it.
ALTER TABLE check_in_attempts ADD COLUMN district_code TEXT;
UPDATE check_in_attempts SET district_code = (
    SELECT e.district_code FROM verification_tasks t JOIN enterprises e ON e.id = t.enterprise_id
    WHERE t.id = check_in_attempts.task_id
)
WHERE outcome = 'flagged' OR id IN (SELECT attempt_id FROM check_in_decisions WHERE kind = 'appeal');
CREATE INDEX check_in_attempts_flagged_district ON check_in_attempts (district_code, at, id) WHERE outcome = 'flagged';

-- Self-assessments waiting for review, by district, in the same way: each keeps its
-- enterprise's district (set when it is created, moved with the enterprise), so a district's
-- queue is counted from one index range, not by hashing the district's enterprises against
-- the city's waiting self-assessments.
ALTER TABLE assessments ADD COLUMN district_code TEXT;
UPDATE assessments SET district_code = (SELECT e.district_code FROM enterprises e WHERE e.id = assessments.enterprise_id);
CREATE INDEX assessments_waiting_district ON assessments (district_code, updated_at, id, state)
    WHERE state <> 'draft' AND state <> 'approved' AND state <> 'returned' AND state <> 'deleted';
