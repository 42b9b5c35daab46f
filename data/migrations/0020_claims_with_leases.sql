-- Crash recovery for the scheduler's slots and the outbox sender's claims.

-- A slot is done only when its job has committed its effects: `last_slot` is the last slot done, and the slot
-- being run is kept apart in `running_slot`, so a job whose holder died is run again for that slot.
ALTER TABLE job_runs ADD COLUMN running_slot TEXT;
-- Rows the old code left 'running' had already moved last_slot to the slot they never finished: give it back
-- (one second earlier is before the slot), so the next start runs it again.
UPDATE job_runs SET running_slot = last_slot,
    last_slot = strftime('%Y-%m-%dT%H:%M:%SZ', last_slot, '-1 second'),
    status = 'failed', error = 'interrupted before an upgrade'
    WHERE status = 'running';

-- An outbox claim lasts until claim_until; the sender renews it every few seconds while it works, so the rows
-- of a sender that died are pending again within seconds.
ALTER TABLE outbox ADD COLUMN claim_until TEXT;
UPDATE outbox SET claim_until = strftime('%Y-%m-%dT%H:%M:%SZ', claimed_at, '+5 minutes') WHERE status = 'sending';
CREATE INDEX outbox_claim_until ON outbox (status, claim_until);
