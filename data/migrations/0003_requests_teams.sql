-- Help requests (求助) and their history, volunteer teams (志愿服务队), handoff tickets (转人工), feedback.

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    capacity INTEGER NOT NULL DEFAULT 5 CHECK (capacity >= 0),   -- open requests at once
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE team_sites (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    PRIMARY KEY (team_id, site_id)
);

CREATE TABLE team_categories (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    PRIMARY KEY (team_id, category)
);
CREATE INDEX team_categories_category ON team_categories (category);

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id),
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('leader', 'member')),
    PRIMARY KEY (team_id, person_id)
);
CREATE INDEX team_members_person ON team_members (person_id);

CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,                 -- R1203-07: R + local MMDD + '-' + sequence of that day
    requester_id INTEGER REFERENCES people(id),
    category TEXT NOT NULL,
    secondary TEXT,                              -- a second need in the same message, kept for the worker
    text TEXT NOT NULL,                          -- the need in the requester's words
    for_whom TEXT NOT NULL DEFAULT 'self' CHECK (for_whom IN ('self', 'other')),
    recipient_id INTEGER REFERENCES recipients(id),
    recipient_name TEXT,
    address TEXT,
    contact_phone TEXT,
    site_id INTEGER REFERENCES sites(id),
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'assigned', 'accepted', 'done', 'closed')),
    team_id INTEGER REFERENCES teams(id),        -- NULL while the site's worker holds it
    worker_id INTEGER REFERENCES people(id),     -- the worker holding it when no team could take it
    accepted_by INTEGER REFERENCES people(id),
    done_note TEXT,
    urgent INTEGER NOT NULL DEFAULT 0,
    visit_id INTEGER REFERENCES visits(id),
    source TEXT NOT NULL DEFAULT 'chat' CHECK (source IN ('chat', 'visit')),
    created_at TEXT NOT NULL,
    assigned_at TEXT,                            -- the latest assignment: escalation counts from here
    accepted_at TEXT,
    done_at TEXT,
    closed_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX requests_requester ON requests (requester_id, created_at);
CREATE INDEX requests_team_status ON requests (team_id, status);
CREATE INDEX requests_site_status ON requests (site_id, status);
CREATE INDEX requests_created ON requests (created_at);

-- Every change of a request: who (NULL for laoxiao itself), when, from/to status, and why.
CREATE TABLE request_events (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES people(id),
    action TEXT NOT NULL,                        -- created, assigned, accepted, done, rejected, transferred,
                                                 -- reminded, feedback, closed
    from_status TEXT,
    to_status TEXT,
    team_id INTEGER REFERENCES teams(id),        -- the team concerned (the one that rejected, the new one ...)
    note TEXT
);
CREATE INDEX request_events_request ON request_events (request_id, id);

CREATE TABLE request_feedback (
    request_id INTEGER PRIMARY KEY REFERENCES requests(id),
    person_id INTEGER REFERENCES people(id),
    rating TEXT NOT NULL CHECK (rating IN ('满意', '不满意')),
    comment TEXT,
    at TEXT NOT NULL
);

-- 转人工: a conversation handed to a worker, shown as T12; the person's last messages travel with it.
CREATE TABLE handoffs (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    site_id INTEGER REFERENCES sites(id),
    reason TEXT NOT NULL CHECK (reason IN ('asked', 'not_understood', 'urgent')),
    last_messages TEXT NOT NULL DEFAULT '[]',    -- JSON list of {at, text}
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT,
    closed_by INTEGER REFERENCES people(id)
);
CREATE INDEX handoffs_person ON handoffs (person_id, status);

CREATE TABLE handoff_messages (
    id INTEGER PRIMARY KEY,
    handoff_id INTEGER NOT NULL REFERENCES handoffs(id),
    sender_id INTEGER REFERENCES people(id),
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),  -- in: from the person; out: a worker's reply
    text TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX handoff_messages_ticket ON handoff_messages (handoff_id, id);
