-- One task in progress per qualification, decided by the database: two staff opening a task
-- for the same certificate at once give one task and one 409.
CREATE UNIQUE INDEX verification_tasks_one_open ON verification_tasks (qualification_id)
    WHERE state = 'open' OR state = 'selection_submitted' OR state = 'checking_in'
       OR state = 'replacement_submitted' OR state = 'rectification';

-- A replacement for selected people whose employment ended during check-in, awaiting review;
-- on approval it becomes the round's selection.
CREATE TABLE verification_replacements (
    task_id       TEXT NOT NULL REFERENCES verification_tasks (id),
    round         BIGINT NOT NULL,
    employment_id TEXT NOT NULL REFERENCES employments (id),
    person_id     TEXT NOT NULL REFERENCES people (id),
    PRIMARY KEY (task_id, round, employment_id)
);

-- What a review decided on: the selection, or a replacement.
ALTER TABLE verification_reviews ADD COLUMN subject TEXT NOT NULL DEFAULT 'selection' CHECK (subject IN ('selection', 'replacement'));

-- The identical-position signal looks earlier check-ins up by their exact coordinates.
CREATE INDEX check_in_attempts_position ON check_in_attempts (latitude, longitude);
