-- Liveness challenges: the head poses a challenge asks for, one photo each, in order
-- (comma-separated: front, left, right); NULL when the act asks for a single selfie.
ALTER TABLE challenges ADD COLUMN poses TEXT;
