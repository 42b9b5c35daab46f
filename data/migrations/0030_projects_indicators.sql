-- The two projects funded by the bureau (实施方案 一、二、四): their period and budget, the township of each site
-- (a 儿童督导员 supervises the villages of one township), and the indicators as data, targets from the plan.

CREATE TABLE projects (
    code TEXT PRIMARY KEY CHECK (code IN ('elder', 'child')),
    name TEXT NOT NULL,
    start_date TEXT NOT NULL,                    -- local date, YYYY-MM-DD
    end_date TEXT NOT NULL,
    budget INTEGER NOT NULL DEFAULT 0,           -- yuan
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    CHECK (end_date > start_date)
);

-- 实施方案 五(四): 所有立项项目实施时间为2023年6月至2024年5月; 二: 儿童8万元, 老年10万元.
INSERT INTO projects (code, name, start_date, end_date, budget) VALUES
    ('elder', '裕民街道怡园社区老年社会工作服务项目', '2023-06-01', '2024-05-31', 100000),
    ('child', '峡口镇沈闸村困境儿童社会工作服务项目', '2023-06-01', '2024-05-31', 80000);

ALTER TABLE sites ADD COLUMN township TEXT;
UPDATE sites SET township = '裕民街道' WHERE name = '怡园社区';
UPDATE sites SET township = '峡口镇' WHERE name = '沈闸村';

-- One row per indicator of a project. `rule` names how progress is computed (data.indicators.RULES);
-- a NULL target is set by something else (the needs survey sets the volunteer-services target).
CREATE TABLE indicators (
    project TEXT NOT NULL REFERENCES projects(code),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    target INTEGER,
    target_max INTEGER,                          -- 10-15 recipients: the upper end, shown only
    unit TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (project, code)
);

INSERT INTO indicators (project, code, name, target, target_max, unit, position) VALUES
    ('elder', 'needs_survey', '需求调研（调研报告和服务需求清单）', 1, NULL, '份', 1),
    ('elder', 'ongoing_visits', '持续关爱对象每月至少上门一次', 10, 15, '人/月', 2),
    ('elder', 'cases', '个案服务（已预估并制定计划）', 5, NULL, '个', 3),
    ('elder', 'groups', '小组工作（组员≥8人、活动≥4次）', 4, NULL, '个', 4),
    ('elder', 'cultivated', '培育社区社会组织和志愿服务队', 10, NULL, '个', 5),
    ('elder', 'events', '社区活动和专题讲座', 10, NULL, '场', 6),
    ('elder', 'needs_answered', '志愿服务回应调研需求', NULL, NULL, '次', 7),
    ('elder', 'monthly_reports', '按月提交工作计划和总结', NULL, NULL, '个月', 8),
    ('child', 'needs_survey', '需求调研（调研报告和服务需求清单）', 1, NULL, '份', 1),
    ('child', 'ongoing_visits', '持续关爱对象每月至少上门一次', 10, 15, '人/月', 2),
    ('child', 'cases', '个案服务（已预估并制定计划）', 5, NULL, '个', 3),
    ('child', 'groups', '小组工作（组员≥8人、活动≥4次）', 4, NULL, '个', 4),
    ('child', 'cultivated', '培育社区社会组织和志愿服务队', 5, NULL, '个', 5),
    ('child', 'events', '社区活动和专题讲座', 10, NULL, '场', 6),
    ('child', 'needs_answered', '志愿服务回应调研需求', NULL, NULL, '次', 7),
    ('child', 'monthly_reports', '按月提交工作计划和总结', NULL, NULL, '个月', 8);
