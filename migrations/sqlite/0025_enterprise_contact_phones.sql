-- Enterprise contact phones are personal data (issue 14): `contact_phone` holds the number
-- sealed with the data key (context `enterprise:<id>:contact_phone`, written by the
-- application), `contact_phone_masked` what is shown (138****5678). Rows written before this
-- migration get their mask here; the server seals their plain number when it starts
-- (`enterprises::seal_plain_contact_phones`).
ALTER TABLE enterprises ADD COLUMN contact_phone_masked TEXT NOT NULL DEFAULT '';
UPDATE enterprises
   SET contact_phone_masked = CASE WHEN length(contact_phone) = 11
                                   THEN substr(contact_phone, 1, 3) || '****' || substr(contact_phone, 8, 4)
                                   ELSE '****' END;
