-- One valid (accepted or flagged) check-in per person, task and round, decided by the
-- database: concurrent check-ins by one person give exactly one.
CREATE UNIQUE INDEX check_in_attempts_once ON check_in_attempts (task_id, round, person_id) WHERE outcome <> 'refused';
