-- A password another account set (a manager's reset, or the creator's initial password) expires
-- at once: its owner must choose a new one to sign in. NULL: the owner chose the password.
ALTER TABLE staff ADD COLUMN password_expired_at BIGINT;
