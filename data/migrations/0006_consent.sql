-- Consent to keep a recipient's file (个人信息保护法): for children under 14 it is the guardian's.
-- Free text as written on the roster, e.g. 「监护人签字 2026-03-01」; NULL means not recorded.

ALTER TABLE recipients ADD COLUMN consent TEXT;
