-- WeChat subscription messages (issue 15): a third outbox channel, 'wechat', for persons.
-- A wechat row is written next to the inbox row it copies (`copy_of`) when a subscription
-- template is installed for the notice's kind: `wechat_templates` holds the kinds of the
-- templates the running configuration has (`wechat.subscribe_templates`), installed at start.
ALTER TABLE notifications DROP CONSTRAINT notifications_channel_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_channel_check
    CHECK (channel IN ('inbox', 'sms', 'wechat'));
ALTER TABLE notifications ADD COLUMN copy_of TEXT;

CREATE TABLE wechat_templates (
    kind         TEXT NOT NULL PRIMARY KEY,
    template_id  TEXT NOT NULL,
    installed_at BIGINT NOT NULL
);
