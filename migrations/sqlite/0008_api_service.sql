-- The ID-card verification API service for companies (SPEC §1, seed 000): every application a
-- company makes (案件, A-2…A-9) and the grant it holds once approved (A-7's header: the host IP,
-- the uploaded API certificate, the isskey and the apId). Timestamps are unix seconds (UTC).
-- Kept table for table in step with postgres/0008_api_service.sql.

CREATE TABLE api_cases (
    id              TEXT PRIMARY KEY,                 -- the S/N shown to the company (UUID v4)
    business_id     TEXT NOT NULL,                    -- 營利事業統一編號, from the signed-in card
    kind            TEXT NOT NULL CHECK (kind IN ('apply', 'certificate', 'modify', 'deactivate')),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'cancelled', 'uploaded', 'approved', 'rejected')),
    company_name    TEXT NOT NULL,
    host_ip         TEXT NOT NULL,
    contact         TEXT NOT NULL,
    landline        TEXT NOT NULL,
    mobile          TEXT NOT NULL,
    email           TEXT NOT NULL,
    purpose         TEXT NOT NULL,                    -- 使用目的/原因, at most 350 characters
    submitted_at    BIGINT NOT NULL,                  -- 申請日期
    decided_at      BIGINT,                           -- 審核日期 (or when cancelled / uploaded)
    decision_text   TEXT,                             -- 審核結果
    decided_by      INTEGER REFERENCES staff (id),
    material_note   TEXT,                             -- what the reviewer asked for (A-N5)
    material_due    TEXT,                             -- the company's answer is due by (YYYY-MM-DD)
    material_reply  TEXT,                             -- the company's answer
    material_replied_at BIGINT,
    submission_token TEXT UNIQUE                      -- the form's one-time token: a resubmission finds its case
);
-- One case in review per company (A-6): two simultaneous submissions cannot both be taken.
CREATE UNIQUE INDEX api_cases_one_pending ON api_cases (business_id) WHERE status = 'pending';
CREATE INDEX api_cases_company ON api_cases (business_id, submitted_at);
CREATE INDEX api_cases_queue ON api_cases (status, submitted_at);

-- A company's permission to call the verification API, created when its API申請 is approved.
-- One host IP per 統一編號 (A-N3): an approved 登錄資料修改 replaces it (A-N7).
CREATE TABLE api_grants (
    business_id        TEXT PRIMARY KEY,
    ap_id              TEXT NOT NULL UNIQUE,
    company_name       TEXT NOT NULL,
    host_ip            TEXT NOT NULL,
    contact            TEXT NOT NULL,
    landline           TEXT NOT NULL,
    mobile             TEXT NOT NULL,
    email              TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked', 'deactivated')),
    status_reason      TEXT,
    status_changed_at  BIGINT NOT NULL,
    approved_at        BIGINT NOT NULL,
    certificate_pem    TEXT,                          -- the uploaded API certificate (憑證上傳)
    certificate_serial TEXT,                          -- 憑證序號, hex
    certificate_not_before BIGINT,                    -- 有效起始日期
    certificate_not_after  BIGINT,                    -- 有效迄止日期
    isskey             TEXT,                          -- 32 characters, issued on upload
    last_used_at       BIGINT,                        -- the last verification call (A-N8, A-N10)
    plan_required_since BIGINT                        -- suspended or revoked: an improvement plan
                                                      -- must be approved before re-applying (A-N11)
);
CREATE INDEX api_grants_status ON api_grants (status);
