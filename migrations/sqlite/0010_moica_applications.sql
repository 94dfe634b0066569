-- Citizen-certificate applications (自然人憑證申請, SPEC C-1, C-2): filled in online in advance
-- (方法2 線上填單、臨櫃取卡) and fulfilled at any household office. The chosen 用戶代碼 and PIN
-- must reach the card at issuance, so they are kept sealed (AEAD, the key in a file outside the
-- database: HUJI_MOICA_SEAL_KEY_FILE) and erased when used, superseded or expired.
-- Kept table for table in step with postgres/0010_moica_applications.sql.

CREATE TABLE moica_applications (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    reference             TEXT NOT NULL UNIQUE,           -- 申請編號, e.g. M1151129-000042
    citizen_id            INTEGER NOT NULL REFERENCES citizens (id),
    channel               TEXT NOT NULL CHECK (channel IN ('online', 'counter')),
    email                 TEXT NOT NULL,
    mobile                TEXT NOT NULL,
    pin_choice            TEXT NOT NULL CHECK (pin_choice IN ('default', 'chosen')),
    user_code_sealed      TEXT,                           -- NULL once used or purged
    pin_sealed            TEXT,                           -- NULL for the default PIN, or once used
    status                TEXT NOT NULL DEFAULT 'submitted'
                          CHECK (status IN ('submitted', 'superseded', 'expired', 'issued')),
    submitted_at          BIGINT NOT NULL,
    expires_at            BIGINT NOT NULL,                -- collect before this (Taipei midnight)
    issued_at             BIGINT,
    household_office_code TEXT REFERENCES household_offices (code)  -- where it was fulfilled
);
-- One open application per citizen: a new one supersedes the old in the same transaction, and
-- two racing submissions cannot both stay open.
CREATE UNIQUE INDEX moica_applications_one_open ON moica_applications (citizen_id) WHERE status = 'submitted';
CREATE INDEX moica_applications_open ON moica_applications (expires_at) WHERE status = 'submitted';
