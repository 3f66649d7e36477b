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
