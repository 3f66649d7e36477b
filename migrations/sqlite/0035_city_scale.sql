-- Indexes the city-scale benchmark (issue 19) found missing: at a million persons and ten
-- million check-in attempts these reads otherwise visit every row.
-- The check-ins waiting for staff: the flagged ones, oldest first (a small part of the attempts).
CREATE INDEX check_in_attempts_flagged ON check_in_attempts (at, id) WHERE outcome = 'flagged';
-- The appeals (and their decisions) among the check-in decisions.
CREATE INDEX check_in_decisions_kind ON check_in_decisions (kind, attempt_id);
-- A person's tasks: the selections naming them.
CREATE INDEX verification_selections_person ON verification_selections (person_id);
