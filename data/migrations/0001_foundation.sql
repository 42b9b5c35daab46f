-- Sites, people and their roles, invitations, inbound log, conversation state, outbox, audit trail.

CREATE TABLE sites (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL CHECK (project IN ('elder', 'child')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

INSERT INTO sites (name, project) VALUES ('怡园社区', 'elder'), ('沈闸村', 'child');

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    openid TEXT NOT NULL UNIQUE,
    name TEXT,
    role TEXT NOT NULL DEFAULT 'family'
        CHECK (role IN ('admin', 'worker', 'director', 'team_lead', 'volunteer', 'family')),
    site_id INTEGER REFERENCES sites(id),
    phone TEXT,
    reachable INTEGER NOT NULL DEFAULT 1,
    last_inbound_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX people_role_site ON people (role, site_id);

CREATE TABLE invites (
    id INTEGER PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    site_id INTEGER REFERENCES sites(id),
    name TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by INTEGER REFERENCES people(id)
);

-- Failed attempts of rate-limited actions (binding codes), per openid.
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    openid TEXT NOT NULL,
    action TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX attempts_lookup ON attempts (openid, action, at);

-- Every inbound message, claimed by its key before any work; the reply is kept for retries.
CREATE TABLE inbound (
    key TEXT PRIMARY KEY,
    openid TEXT NOT NULL,
    channel TEXT NOT NULL,
    msg_type TEXT NOT NULL,
    event TEXT,
    content TEXT,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'processing' CHECK (status IN ('processing', 'done', 'failed')),
    reply TEXT,
    replied_at TEXT
);
CREATE INDEX inbound_person ON inbound (openid, received_at);

-- One row per person with an unfinished conversation.
CREATE TABLE conversations (
    openid TEXT PRIMARY KEY,
    flow TEXT NOT NULL,
    step TEXT NOT NULL,
    data TEXT NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- The rest of a long answer, sent when the person replies 更多.
CREATE TABLE pending_pages (
    openid TEXT PRIMARY KEY,
    pages TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    openid TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    urgent INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'held', 'failed', 'cancelled')),
    channel TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_person ON outbox (openid, status);

-- Who changed what, and when.
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT,
    action TEXT NOT NULL,
    subject TEXT,
    detail TEXT
);
CREATE INDEX audit_subject ON audit (subject, at);
