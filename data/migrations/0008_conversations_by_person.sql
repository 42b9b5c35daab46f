-- Conversation state belongs to a person (not to one channel's id), carries the version of the flow that wrote
-- it, and may be set aside as a draft when the person starts something else. The numbered list last shown
-- outside a flow (the help menu, a choice between drafts) is kept so that a bare number can answer it.

CREATE TABLE conversations_new (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    flow TEXT NOT NULL,
    step TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    data TEXT NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

INSERT INTO conversations_new (person_id, flow, step, version, data, started_at, updated_at, expires_at)
SELECT p.id, c.flow, c.step, 1, c.data, c.started_at, c.updated_at, c.expires_at
FROM conversations c JOIN people p ON p.openid = c.openid;

DROP TABLE conversations;

ALTER TABLE conversations_new RENAME TO conversations;

CREATE TABLE drafts (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    flow TEXT NOT NULL,
    step TEXT NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    label TEXT NOT NULL,                 -- what the person reads: 「丁浩然的走访」
    reason TEXT NOT NULL,                -- interrupted / cancelled / expired / failed
    started_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    reminded_at TEXT
);
CREATE INDEX drafts_person ON drafts (person_id, expires_at);

CREATE TABLE menus (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    options TEXT NOT NULL,               -- JSON list of {"label": ..., "say": ...} or {"label", "flow", "text"}
    shown_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
