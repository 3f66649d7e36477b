-- The audit chain becomes keyed: each new row names the key (by its id) whose HMAC links it.
-- Rows written before carry no key id and keep their plain SHA-256 links; unkeyed_until marks
-- where that unkeyed prefix ends, so an unkeyed row after it is a broken row.
ALTER TABLE audit_events ADD COLUMN key_id TEXT;
ALTER TABLE audit_head ADD COLUMN unkeyed_until BIGINT NOT NULL DEFAULT 0;
UPDATE audit_head SET unkeyed_until = seq;
-- Finding a request's events (and not appending a spooled event twice).
CREATE INDEX audit_events_request ON audit_events (request_id);
