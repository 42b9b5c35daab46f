-- What a visit achieved, how often each recipient must be seen, and recipients found on a visit but not yet on
-- the roster. Only an in-person visit (上门 / 到校) where the recipient was met counts toward 每月至少上门一次
-- (see data.visits.COUNTS_SQL); phone and video contacts are kept and shown but do not close a period.

ALTER TABLE visits ADD COLUMN outcome TEXT NOT NULL DEFAULT 'met';
    -- met (见到本人) / not_home (不在家) / refused (拒绝) / moved (搬走) / hospital (住院)

ALTER TABLE recipients ADD COLUMN level TEXT NOT NULL DEFAULT '一般';
    -- 重点: weekly; 一般: monthly; 稳定: quarterly (data.recipients.LEVELS)

ALTER TABLE recipients ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
    -- 1: newly found on a visit (新发现), waiting for a site worker to confirm and complete the record

CREATE INDEX visits_counting ON visits (recipient_id, visit_date) WHERE deleted_at IS NULL;
