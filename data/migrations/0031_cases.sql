-- Casework (个案): one open case per recipient at a time, moving 接案 -> 预估 -> 计划 -> 介入 -> 评估 -> 结案, each step
-- a dated note. `person_id` is the worker by chat, `user_id` the dashboard account: either may be NULL.

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    recipient_id INTEGER NOT NULL REFERENCES recipients(id),
    site_id INTEGER NOT NULL REFERENCES sites(id),
    worker_id INTEGER REFERENCES people(id),
    source TEXT CHECK (source IN ('主动求助', '外展发现', '转介')),
    stage TEXT NOT NULL DEFAULT '接案' CHECK (stage IN ('接案', '预估', '计划', '介入', '评估', '结案')),
    opened_on TEXT NOT NULL,                     -- local dates, YYYY-MM-DD
    last_note_on TEXT NOT NULL,                  -- the latest note's date: 30 days later the case is overdue
    next_follow_up TEXT,
    closed_on TEXT,
    closed_reason TEXT CHECK (closed_reason IN ('达成', '转介', '拒绝', '迁出', '死亡')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_site ON cases (site_id, closed_on);
CREATE UNIQUE INDEX cases_one_open ON cases (recipient_id) WHERE closed_on IS NULL;

CREATE TABLE case_notes (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    stage TEXT NOT NULL,
    day TEXT NOT NULL,
    note TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    user_id INTEGER,                             -- web_users(id), created in 0035
    created_at TEXT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);
CREATE INDEX case_notes_day ON case_notes (day);
