-- Lists read their first page in their own order from an index instead of sorting the whole
-- table, staff queues read only their queue, and filters find their rows by an index (issue
-- 19; the EXPLAIN guard, tests/api/explain/, finds the queries that read a whole table).
CREATE INDEX enterprises_name ON enterprises (name, id);
CREATE INDEX applications_created ON applications (created_at, id);
CREATE INDEX assessments_updated ON assessments (updated_at DESC, id) WHERE state <> 'deleted';
-- The review queue (submitted or under review) in its order; the states it leaves out are
-- named because SQLite and PostgreSQL write a list of values differently.
CREATE INDEX assessments_waiting ON assessments (updated_at, id)
    WHERE state <> 'draft' AND state <> 'approved' AND state <> 'returned' AND state <> 'deleted';
CREATE INDEX project_assessments_updated ON project_assessments (updated_at DESC, id) WHERE state <> 'deleted';
CREATE INDEX project_assessments_waiting ON project_assessments (state, updated_at, id);
CREATE INDEX daily_events_occurred ON daily_events (occurred_on DESC, id);
CREATE INDEX employment_requests_created ON employment_requests (created_at, id);
CREATE INDEX employment_requests_enterprise ON employment_requests (enterprise_id, created_at);
CREATE INDEX employments_started ON employments (started_at, id);
CREATE INDEX employments_person ON employments (person_id, started_at);
CREATE INDEX exam_registrations_created ON exam_registrations (created_at DESC, id);
CREATE INDEX exam_registrations_waiting ON exam_registrations (state, created_at, id);
CREATE INDEX projects_created ON projects (created_at DESC, id);
CREATE INDEX registration_reviews_held_at ON registration_reviews (held_at, id);
CREATE INDEX verification_tasks_opened ON verification_tasks (opened_at, id);
