-- Work lists with a "handled" action and who took it, monthly report submissions, and dashboard accounts.

-- How a mandatory report was handled, and by which dashboard account (handled_by is the WeChat person).
ALTER TABLE protection_reports ADD COLUMN handled_note TEXT;
ALTER TABLE protection_reports ADD COLUMN handled_by_user INTEGER;
ALTER TABLE handoffs ADD COLUMN closed_by_user INTEGER;
-- A follow-up of an overdue request is a request event ('followed_up'); a dashboard account may be its actor.
ALTER TABLE request_events ADD COLUMN user_id INTEGER;

-- When a month's plan or summary went to whom (民政局, 第三方评估).
CREATE TABLE report_submissions (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL REFERENCES projects(code),
    month TEXT NOT NULL,                         -- YYYY-MM
    kind TEXT NOT NULL CHECK (kind IN ('plan', 'summary')),
    submitted_on TEXT NOT NULL,
    recipients TEXT NOT NULL,                    -- to whom, in words: 「民政局、第三方评估机构」
    note TEXT NOT NULL DEFAULT '',
    person_id INTEGER REFERENCES people(id),
    user_id INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (project, month, kind, submitted_on, recipients)
);
CREATE INDEX report_submissions_month ON report_submissions (month, project, kind);

-- Dashboard accounts. bureau and evaluator read every site and never see a phone or ID number; a worker sees
-- their own sites (web_user_sites); a supervisor (儿童督导员) the villages of one township.
CREATE TABLE web_users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'bureau', 'evaluator', 'worker', 'supervisor')),
    township TEXT,
    person_id INTEGER REFERENCES people(id),     -- the same person on WeChat, when there is one
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_login_at TEXT
);

CREATE TABLE web_user_sites (
    user_id INTEGER NOT NULL REFERENCES web_users(id) ON DELETE CASCADE,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    PRIMARY KEY (user_id, site_id)
);

-- The cookie carries a random token; only its hash is kept, so a copy of the database opens no session.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES web_users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

CREATE TABLE web_login_failures (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX web_login_failures_user ON web_login_failures (username, at);
CREATE INDEX web_login_failures_ip ON web_login_failures (ip, at);
