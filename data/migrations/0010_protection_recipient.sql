-- A mandatory report raised by a visit note is about the person visited: 查 姓名 shows their open reports.
ALTER TABLE protection_reports ADD COLUMN recipient_id INTEGER REFERENCES recipients(id);
CREATE INDEX protection_reports_recipient ON protection_reports (recipient_id) WHERE recipient_id IS NOT NULL;
