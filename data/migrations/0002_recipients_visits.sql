-- Recipients (服务对象: elders and children) and the visits (走访) that workers and directors record.

CREATE TABLE recipients (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('elder', 'child')),
    name TEXT NOT NULL,
    sex TEXT CHECK (sex IN ('男', '女')),
    birth_date TEXT,
    categories TEXT NOT NULL DEFAULT '[]',      -- JSON list: 高龄, 特困, 留守儿童, 孤儿 ...
    site_id INTEGER NOT NULL REFERENCES sites(id),
    responsible_id INTEGER REFERENCES people(id),  -- the worker or director who visits
    phone TEXT,
    guardian TEXT,                               -- guardian / family contact (name, relation, phone)
    address TEXT,
    id_number_hash TEXT,                         -- keyed hash of the ID card number: matching on re-import;
                                                 -- the full number is never stored, shown, logged or exported
    id_number_tail TEXT,                         -- last 4 characters, for masked display
    ongoing_care INTEGER NOT NULL DEFAULT 0,     -- 持续关爱对象: visited at least monthly
    allowance INTEGER NOT NULL DEFAULT 0,        -- 领取孤儿/事实无人抚养儿童基本生活费: needs verification visits
    active INTEGER NOT NULL DEFAULT 1,
    closed_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX recipients_site ON recipients (site_id, active);
CREATE INDEX recipients_responsible ON recipients (responsible_id, active);
CREATE UNIQUE INDEX recipients_id_number ON recipients (id_number_hash) WHERE id_number_hash IS NOT NULL;
CREATE INDEX recipients_identity ON recipients (name, birth_date, site_id);

CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    recipient_id INTEGER NOT NULL REFERENCES recipients(id),
    visitor_id INTEGER NOT NULL REFERENCES people(id),
    visit_date TEXT NOT NULL,                    -- local date, YYYY-MM-DD
    mode TEXT NOT NULL,                          -- 上门 / 电话 / 视频 / 到校 / 其他
    findings TEXT NOT NULL DEFAULT '',
    areas TEXT,                                  -- JSON: for children 监护/安全/就学/健康 in a word each
    needs TEXT,                                  -- free text of needs found, NULL for none
    verification TEXT,                           -- JSON for allowance verification (核查) visits
    flagged INTEGER NOT NULL DEFAULT 0,          -- a change or risk the worker must look at
    source_text TEXT,                            -- the original message(s)
    created_at TEXT NOT NULL,
    deleted_at TEXT                              -- 撤销 within 24 hours
);
CREATE INDEX visits_recipient_date ON visits (recipient_id, visit_date);
CREATE INDEX visits_visitor ON visits (visitor_id, created_at);

CREATE TABLE visit_photos (
    id INTEGER PRIMARY KEY,
    visit_id INTEGER NOT NULL REFERENCES visits(id),
    media_id TEXT,
    pic_url TEXT,
    received_at TEXT NOT NULL
);
