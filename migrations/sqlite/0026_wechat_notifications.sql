-- WeChat subscription messages (issue 15): a third outbox channel, 'wechat', for persons.
-- A wechat row is written next to the inbox row it copies (`copy_of`) when a subscription
-- template is installed for the notice's kind: `wechat_templates` holds the kinds of the
-- templates the running configuration has (`wechat.subscribe_templates`), installed at start.
CREATE TABLE notifications_rebuilt (
    id              TEXT PRIMARY KEY,
    channel         TEXT NOT NULL CHECK (channel IN ('inbox', 'sms', 'wechat')),
    recipient_kind  TEXT NOT NULL,
    recipient_id    TEXT NOT NULL,
    kind            TEXT NOT NULL,
    params          TEXT NOT NULL,  -- JSON
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT,
    read_at         BIGINT,
    copy_of         TEXT
);
INSERT INTO notifications_rebuilt (id, channel, recipient_kind, recipient_id, kind, params, state, attempts, next_attempt_at,
    last_error, created_at, delivered_at, read_at)
SELECT id, channel, recipient_kind, recipient_id, kind, params, state, attempts, next_attempt_at,
    last_error, created_at, delivered_at, read_at
FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_rebuilt RENAME TO notifications;
CREATE INDEX notifications_due ON notifications (state, next_attempt_at);
CREATE INDEX notifications_recipient ON notifications (recipient_kind, recipient_id, created_at);

CREATE TABLE wechat_templates (
    kind         TEXT NOT NULL PRIMARY KEY,
    template_id  TEXT NOT NULL,
    installed_at BIGINT NOT NULL
);
