-- The needs survey (需求调研) and its list of needs (服务需求清单), organisations and volunteer teams cultivated
-- (培育), and volunteer service records (志愿服务记录: who, when, how many hours, for which request or event).

CREATE TABLE needs_surveys (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL REFERENCES projects(code),
    site_id INTEGER REFERENCES sites(id),
    day TEXT NOT NULL,
    method TEXT NOT NULL,                        -- 问卷, 入户访谈, 座谈会 ...
    respondents INTEGER NOT NULL DEFAULT 0 CHECK (respondents >= 0),
    report_file TEXT NOT NULL DEFAULT '',        -- where the report is kept (file name or link)
    summary TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (project, day, method)
);

-- Each need found, with how many volunteer services are planned to answer it: their sum is the target of the
-- "volunteer services answer needs" indicator (指标根据需求调研结果定量).
CREATE TABLE survey_needs (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES needs_surveys(id),
    need TEXT NOT NULL,
    category TEXT,                               -- a request category: requests of this category answer it
    target INTEGER NOT NULL DEFAULT 1 CHECK (target >= 1),
    UNIQUE (survey_id, need)
);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL REFERENCES projects(code),
    site_id INTEGER REFERENCES sites(id),
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('social_org', 'volunteer_team')),
    founded_on TEXT,
    registered_on TEXT,                          -- 备案/登记 date
    members INTEGER NOT NULL DEFAULT 0 CHECK (members >= 0),
    leader TEXT NOT NULL DEFAULT '',
    team_id INTEGER REFERENCES teams(id),        -- the routing team it became, if any
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    CHECK (founded_on IS NOT NULL OR registered_on IS NOT NULL)
);

CREATE TABLE volunteer_services (
    id INTEGER PRIMARY KEY,
    person_id INTEGER REFERENCES people(id),     -- the volunteer, when they use laoxiao
    name TEXT NOT NULL,                          -- the volunteer's name, always
    day TEXT NOT NULL,
    hours REAL NOT NULL CHECK (hours > 0 AND hours <= 24),
    site_id INTEGER REFERENCES sites(id),
    request_id INTEGER REFERENCES requests(id),
    event_id INTEGER REFERENCES events(id),
    need_id INTEGER REFERENCES survey_needs(id),
    note TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER REFERENCES people(id),
    recorded_by_user INTEGER,
    created_at TEXT NOT NULL,
    CHECK (request_id IS NOT NULL OR event_id IS NOT NULL OR note != '')
);
CREATE INDEX volunteer_services_person ON volunteer_services (person_id, day);
CREATE INDEX volunteer_services_day ON volunteer_services (day);
CREATE INDEX volunteer_services_event ON volunteer_services (event_id);
