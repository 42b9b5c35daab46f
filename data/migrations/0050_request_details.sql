-- Help requests as families describe them: who asks (their name and their relation to the person helped), that
-- they have no phone, how urgent it is, why a worker should look at it, and why it was closed. Handoff tickets
-- (转人工) get a life of their own: answered, closed by a worker or by silence, and notes in the thread.

ALTER TABLE requests ADD COLUMN requester_name TEXT;           -- 马丽丽: the family member who asked
ALTER TABLE requests ADD COLUMN relation TEXT;                 -- 母亲 / 邻居 …: the person helped, seen by the requester
ALTER TABLE requests ADD COLUMN no_phone INTEGER NOT NULL DEFAULT 0;  -- 「没有电话」: visit in person
ALTER TABLE requests ADD COLUMN urgency TEXT NOT NULL DEFAULT 'normal'
    CHECK (urgency IN ('urgent', 'soon', 'normal'));
ALTER TABLE requests ADD COLUMN flag TEXT;                     -- why a worker should look (alarm words, no danger now)
ALTER TABLE requests ADD COLUMN closed_reason TEXT;            -- done / cancelled / withdrawn / unrated
ALTER TABLE requests ADD COLUMN pair_id INTEGER REFERENCES requests(id);  -- the other need of the same message

UPDATE requests SET urgency = 'urgent' WHERE urgent = 1;
UPDATE requests SET closed_reason = 'withdrawn'
    WHERE status = 'closed' AND id IN (SELECT request_id FROM request_events WHERE action = 'withdrawn');
UPDATE requests SET closed_reason = 'done' WHERE status = 'closed' AND closed_reason IS NULL;

ALTER TABLE handoffs ADD COLUMN answered_at TEXT;              -- the first worker reply
ALTER TABLE handoffs ADD COLUMN closed_reason TEXT;            -- worker (结束 T6) / silence (24 h) / …
ALTER TABLE handoffs ADD COLUMN site_asked INTEGER NOT NULL DEFAULT 0;  -- waiting for the family to name their site
ALTER TABLE handoff_messages ADD COLUMN request_id INTEGER REFERENCES requests(id);  -- a request made meanwhile

UPDATE handoffs SET answered_at = (SELECT MIN(at) FROM handoff_messages m WHERE m.handoff_id = handoffs.id
                                   AND m.direction = 'out');
UPDATE handoffs SET closed_reason = 'worker' WHERE status = 'closed' AND closed_reason IS NULL;

CREATE INDEX requests_requester_status ON requests (requester_id, status);
