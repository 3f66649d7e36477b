-- The staff inbox's queues of applications (notify::awaiting): a district desk's, and the
-- city's, each read oldest first from the moment it reached its step (updated_at). Only
-- applications in progress wait for someone, so these indexes hold the backlog alone; the
-- first page is read in their order instead of the district's every waiting application
-- sorted (issue 19's city bench: 1,360 waiting in one district, 46 ms).
CREATE INDEX applications_district_queue ON applications (district_code, waiting_for, updated_at, id)
    WHERE waiting_for IS NOT NULL;
CREATE INDEX applications_queue ON applications (waiting_for, updated_at, id)
    WHERE waiting_for IS NOT NULL;
