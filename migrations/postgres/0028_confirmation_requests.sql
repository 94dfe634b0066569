-- 自然人憑證用戶身分確認服務 requests (seed 003 要點三、四 and its 申請表, SPEC I-1, I-2):
-- an agency or a financial institution, signed in with its card, asks to enable or disable an
-- application system; the ministry answers 同意 or 不同意 with a 說明 and the effective date.
-- An approved 啟用 registers the system (confirmation_systems) from that date, an approved 停用
-- closes it on that date. Kept table for table in step with sqlite/0028_confirmation_requests.sql.
CREATE TABLE confirmation_requests (
    id                 BIGSERIAL PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('enable', 'disable')),
    status             TEXT NOT NULL CHECK (status IN ('pending', 'withdrawn', 'approved', 'rejected', 'in_effect')),
    applicant_kind     TEXT NOT NULL CHECK (applicant_kind IN ('agency', 'financial')),
    applicant_id       TEXT NOT NULL,      -- 機關代號 or 統一編號, from the signed-in card
    organisation       TEXT NOT NULL,      -- 機關(構)名稱
    address            TEXT NOT NULL,      -- 機關(構)地址
    system_name        TEXT NOT NULL,      -- 應用系統中文名稱
    certificate_serial TEXT NOT NULL,      -- 伺服器憑證序號, lower-case hex
    certificate_sha256 TEXT NOT NULL,
    certificate        TEXT,               -- 啟用: the uploaded server certificate, Base64 DER
    system_id          BIGINT REFERENCES confirmation_systems (id), -- 停用: the system; 啟用: once approved
    contact_name       TEXT NOT NULL,      -- 聯絡人 姓名, 職稱, 單位, E-mail, 電話, 傳真
    contact_title      TEXT NOT NULL,
    contact_unit       TEXT NOT NULL,
    contact_email      TEXT NOT NULL,
    contact_phone      TEXT NOT NULL,
    contact_fax        TEXT NOT NULL,
    deputy_name        TEXT NOT NULL,      -- 代理人, the same
    deputy_title       TEXT NOT NULL,
    deputy_unit        TEXT NOT NULL,
    deputy_email       TEXT NOT NULL,
    deputy_phone       TEXT NOT NULL,
    deputy_fax         TEXT NOT NULL,
    planned_from       BIGINT NOT NULL,    -- 預定開放日期 / 預定停用日期 (Taipei midnight)
    overview           TEXT,               -- 啟用: 應用系統概述
    reason             TEXT,               -- 停用: 停用原因
    filed_at           BIGINT NOT NULL,
    decided_at         BIGINT,
    decided_by         BIGINT REFERENCES staff (id),
    decision_note      TEXT,               -- 審核結果 說明
    effective_from     BIGINT,             -- the date the ministry answered (Taipei midnight)
    CHECK ((kind = 'enable') = (overview IS NOT NULL AND certificate IS NOT NULL)),
    CHECK ((kind = 'disable') = (reason IS NOT NULL)),
    CHECK (kind = 'enable' OR system_id IS NOT NULL),
    CHECK ((status = 'approved' OR status = 'in_effect') = (effective_from IS NOT NULL))
);
-- One request in review per server certificate and kind: two filings at once cannot both be
-- taken.
CREATE UNIQUE INDEX confirmation_requests_one_pending
    ON confirmation_requests (certificate_sha256, kind) WHERE status = 'pending';
CREATE INDEX confirmation_requests_applicant
    ON confirmation_requests (applicant_kind, applicant_id, filed_at);
CREATE INDEX confirmation_requests_queue ON confirmation_requests (status, filed_at);

-- Whose system it is: the applicant whose approved 啟用 request registered it (NULL for a
-- system an operator recorded from a paper request with `huji confirmation register`).
ALTER TABLE confirmation_systems ADD COLUMN applicant_id TEXT;
