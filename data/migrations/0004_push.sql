-- Delivery of pushes: outbox claims and expiry, WeChat's customer-service quota, the shared access token,
-- leases (one scheduler acts; one process refreshes the token) and the scheduler's memory of job slots.

-- Who claimed a row and when: a 'sending' row whose claim is stale was interrupted and is sent again.
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
-- A message that is useless after this moment (a reminder superseded by the next one) is cancelled, not sent late.
ALTER TABLE outbox ADD COLUMN expires_at TEXT;
-- When the row was held for the person's next message, for the dashboard's "waiting since".
ALTER TABLE outbox ADD COLUMN held_at TEXT;
CREATE INDEX outbox_claims ON outbox (status, claimed_at);

-- Customer-service messages sent since the person's last message (WeChat allows a few per message received).
-- The count belongs to the window that opened at `window_start` (= people.last_inbound_at then): a newer
-- inbound message starts a new window, so the counter needs no reset when a message arrives.
CREATE TABLE cs_quota (
    openid TEXT PRIMARY KEY,
    window_start TEXT NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0
);

-- The access token, shared by every process: WeChat invalidates the old token when a new one is fetched.
CREATE TABLE wechat_tokens (
    appid TEXT PRIMARY KEY,
    access_token TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    fetched_by TEXT
);

-- A named lease is held by one holder until expires_at; the holder renews it, anyone may take a stale one.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    renewed_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- The last schedule slot each job ran for: a slot is claimed once, so a job runs once per slot across
-- processes and restarts, and one missed while the service was down runs once on start.
CREATE TABLE job_runs (
    job_id TEXT PRIMARY KEY,
    last_slot TEXT NOT NULL,
    runs INTEGER NOT NULL DEFAULT 0,
    holder TEXT,
    started_at TEXT,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'baseline' CHECK (status IN ('baseline', 'running', 'ok', 'failed')),
    error TEXT
);
