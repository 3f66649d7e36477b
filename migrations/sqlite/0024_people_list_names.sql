-- People-list names are personal data (issue 14): `name` holds the name sealed with the data
-- key (context `assessment:<id>:name`, written by the application), `name_masked` what is
-- shown (first character, then one * per further character). Rows written before this
-- migration keep their plain `name` until they are written again; their mask is made here.
ALTER TABLE assessment_people ADD COLUMN name_masked TEXT NOT NULL DEFAULT '';
UPDATE assessment_people
   SET name_masked = CASE WHEN length(name) > 1
                          THEN substr(name, 1, 1) || substr('********************', 1, length(name) - 1)
                          ELSE name END;
