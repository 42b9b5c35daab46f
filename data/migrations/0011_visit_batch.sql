-- The visits recorded by one confirmation (「马小军和杨雪梅」 makes one visit each) share a batch, so 撤销 takes
-- back all of them and nothing else.
ALTER TABLE visits ADD COLUMN batch TEXT;
CREATE INDEX visits_batch ON visits (batch) WHERE batch IS NOT NULL;
