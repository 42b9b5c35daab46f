-- Mandatory reports (强制报告) raised by words in a message or visit note, and lookups the visit features need.

CREATE TABLE protection_reports (
    id INTEGER PRIMARY KEY,
    person_id INTEGER REFERENCES people(id),    -- who wrote the message
    site_id INTEGER REFERENCES sites(id),        -- the site whose staff were alerted (NULL: unknown, all workers)
    words TEXT NOT NULL,                         -- JSON list of the words that matched
    kinds TEXT NOT NULL,                         -- JSON list: abuse / sexual / neglect / abandonment
    excerpt TEXT NOT NULL,                       -- the message, phone numbers masked, cut to 200 characters
    notified INTEGER NOT NULL DEFAULT 0,         -- how many staff were alerted
    created_at TEXT NOT NULL,
    handled_at TEXT,
    handled_by INTEGER REFERENCES people(id)
);
CREATE INDEX protection_reports_site ON protection_reports (site_id, created_at);

CREATE INDEX visit_photos_visit ON visit_photos (visit_id);
CREATE INDEX visits_date ON visits (visit_date);
