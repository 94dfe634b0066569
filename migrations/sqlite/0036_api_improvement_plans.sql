-- A-N11 (issue 20 item 4): after a suspension or revocation the company submits its
-- improvement plan (改善做法) in the portal, as a case the ministry reviews like the others;
-- once it is approved the company applies again. The case's free text (`purpose`) holds the
-- plan. Kept in step with postgres/0036_api_improvement_plans.sql.
--
-- SQLite cannot alter a CHECK, so the table is made again as 0034 makes its table: the rows
-- set aside in a plain copy, the table dropped and made again under its own name, the rows
-- put back. No table refers to api_cases; its own reference to staff holds throughout.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE api_cases_set_aside AS SELECT * FROM api_cases;
DROP TABLE api_cases;

CREATE TABLE api_cases (
    id              TEXT PRIMARY KEY,                 -- the S/N shown to the company (UUID v4)
    business_id     TEXT NOT NULL,                    -- 營利事業統一編號, from the signed-in card
    kind            TEXT NOT NULL CHECK (kind IN ('apply', 'certificate', 'modify', 'deactivate', 'plan')),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'cancelled', 'uploaded', 'approved', 'rejected')),
    company_name    TEXT NOT NULL,
    host_ip         TEXT NOT NULL,
    contact         TEXT NOT NULL,
    landline        TEXT NOT NULL,
    mobile          TEXT NOT NULL,
    email           TEXT NOT NULL,
    purpose         TEXT NOT NULL,                    -- 使用目的/原因 or the plan, at most 350 characters
    submitted_at    BIGINT NOT NULL,                  -- 申請日期
    decided_at      BIGINT,                           -- 審核日期 (or when cancelled / uploaded)
    decision_text   TEXT,                             -- 審核結果
    decided_by      INTEGER REFERENCES staff (id),
    material_note   TEXT,                             -- what the reviewer asked for (A-N5)
    material_due    TEXT,                             -- the company's answer is due by (YYYY-MM-DD)
    material_reply  TEXT,                             -- the company's answer
    material_replied_at BIGINT,
    submission_token TEXT UNIQUE,                     -- the form's one-time token: a resubmission finds its case
    review_extended_at BIGINT,                        -- A-N5: the review extended once (0033)
    extension_reason TEXT
);

INSERT INTO api_cases (id, business_id, kind, status, company_name, host_ip, contact, landline,
    mobile, email, purpose, submitted_at, decided_at, decision_text, decided_by, material_note,
    material_due, material_reply, material_replied_at, submission_token, review_extended_at,
    extension_reason)
SELECT id, business_id, kind, status, company_name, host_ip, contact, landline, mobile, email,
       purpose, submitted_at, decided_at, decision_text, decided_by, material_note, material_due,
       material_reply, material_replied_at, submission_token, review_extended_at,
       extension_reason
FROM api_cases_set_aside;
DROP TABLE api_cases_set_aside;

-- One case in review per company (A-6): two simultaneous submissions cannot both be taken.
CREATE UNIQUE INDEX api_cases_one_pending ON api_cases (business_id) WHERE status = 'pending';
CREATE INDEX api_cases_company ON api_cases (business_id, submitted_at);
CREATE INDEX api_cases_queue ON api_cases (status, submitted_at);
