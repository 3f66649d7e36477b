-- A list sorts on its column and its id in one direction (platform::sorting: `updated_at DESC,
-- id DESC`, or both ascending), so an index on both columns in one direction serves a page
-- either way, read forwards or backwards. These four were in the mixed order lists had before
-- (newest first, then the id ascending).
DROP INDEX assessments_updated;
CREATE INDEX assessments_updated ON assessments (updated_at, id) WHERE state <> 'deleted';
DROP INDEX project_assessments_updated;
CREATE INDEX project_assessments_updated ON project_assessments (updated_at, id) WHERE state <> 'deleted';
DROP INDEX daily_events_occurred;
CREATE INDEX daily_events_occurred ON daily_events (occurred_on, id);
DROP INDEX exam_registrations_created;
CREATE INDEX exam_registrations_created ON exam_registrations (created_at, id);
