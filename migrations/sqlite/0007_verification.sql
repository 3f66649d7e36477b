-- Qualification dynamic verification (资质动态核查): tasks, the selected check-in personnel
-- per round, and the authority's reviews.

-- How many registered and titled staff each qualification requires; editable by city staff.
CREATE TABLE qualification_requirements (
    category   TEXT NOT NULL,
    grade      TEXT NOT NULL,
    registered BIGINT NOT NULL,
    titled     BIGINT NOT NULL,
    updated_by TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (category, grade)
);
-- Defaults from the 2014 construction enterprise qualification standards (注册建造师 and
-- 职称人员 counts of the general contracting qualifications).
INSERT INTO qualification_requirements (category, grade, registered, titled, updated_at) VALUES
    ('建筑工程施工总承包', '一级', 12, 30, 0),
    ('建筑工程施工总承包', '二级', 12, 15, 0),
    ('建筑工程施工总承包', '三级', 5, 6, 0),
    ('市政公用工程施工总承包', '一级', 12, 30, 0),
    ('市政公用工程施工总承包', '二级', 12, 15, 0),
    ('市政公用工程施工总承包', '三级', 5, 6, 0);

CREATE TABLE verification_tasks (
    id               TEXT PRIMARY KEY,
    enterprise_id    TEXT NOT NULL REFERENCES enterprises (id),
    qualification_id TEXT NOT NULL REFERENCES enterprise_qualifications (id),
    kind             TEXT NOT NULL CHECK (kind IN ('first_time', 'routine')),
    state            TEXT NOT NULL,
    round            BIGINT NOT NULL,
    notice_date      TEXT NOT NULL,
    start_deadline   TEXT NOT NULL,
    window_end       TEXT,
    opened_by        TEXT NOT NULL,
    opened_at        BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX verification_tasks_enterprise ON verification_tasks (enterprise_id, opened_at);
CREATE INDEX verification_tasks_state ON verification_tasks (state);

CREATE TABLE verification_selections (
    task_id       TEXT NOT NULL REFERENCES verification_tasks (id),
    round         BIGINT NOT NULL,
    employment_id TEXT NOT NULL REFERENCES employments (id),
    person_id     TEXT NOT NULL REFERENCES people (id),
    PRIMARY KEY (task_id, round, employment_id)
);

CREATE TABLE verification_reviews (
    id         TEXT PRIMARY KEY,
    task_id    TEXT NOT NULL REFERENCES verification_tasks (id),
    round      BIGINT NOT NULL,
    decision   TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
    opinion    TEXT NOT NULL,
    reviewer   TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX verification_reviews_task ON verification_reviews (task_id, at);
