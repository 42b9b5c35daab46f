-- Group work (小组) with members and sessions, and community events (社区活动/专题讲座) with the partners among the
-- five (五社), donations and photos.

CREATE TABLE work_groups (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('心理支持', '同伴支持', '兴趣爱好', '增能')),
    goal TEXT NOT NULL DEFAULT '',
    planned_sessions INTEGER NOT NULL DEFAULT 4 CHECK (planned_sessions >= 1),
    started_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (site_id, name)
);

CREATE TABLE work_group_members (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES work_groups(id),
    name TEXT NOT NULL,
    recipient_id INTEGER REFERENCES recipients(id),
    joined_on TEXT NOT NULL,
    UNIQUE (group_id, name)
);

CREATE TABLE work_group_sessions (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES work_groups(id),
    day TEXT NOT NULL,
    topic TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    attendance INTEGER NOT NULL CHECK (attendance >= 0),
    notes TEXT NOT NULL DEFAULT '',
    person_id INTEGER REFERENCES people(id),
    user_id INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (group_id, day, topic)
);
CREATE INDEX work_group_sessions_day ON work_group_sessions (day);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    title TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('文娱', '教育倡导', '健康养生', '节庆', '专题讲座', '公益服务')),
    day TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    participants INTEGER NOT NULL DEFAULT 0 CHECK (participants >= 0),
    participant_groups TEXT NOT NULL DEFAULT '',  -- who came, in words: 「老人32人、家属6人」
    partners TEXT NOT NULL DEFAULT '[]',          -- JSON list among 社区, 社会组织, 社工, 社区志愿者, 慈善资源
    summary TEXT NOT NULL DEFAULT '',
    person_id INTEGER REFERENCES people(id),
    user_id INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (site_id, day, title)
);
CREATE INDEX events_day ON events (day);

CREATE TABLE event_donations (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    donor TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('money', 'goods')),
    amount REAL NOT NULL DEFAULT 0 CHECK (amount >= 0),   -- yuan: the money, or the estimated value of goods
    description TEXT NOT NULL DEFAULT ''                  -- for goods: 「米面油20份」
);
CREATE INDEX event_donations_event ON event_donations (event_id);

CREATE TABLE event_photos (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    media_id TEXT,
    pic_url TEXT,
    received_at TEXT NOT NULL
);
CREATE INDEX event_photos_event ON event_photos (event_id);
