-- The identity confirmation service (自然人憑證用戶身分確認服務, seed 003, SPEC I-1…I-4,
-- server/src/confirm): the application systems the ministry has approved, and every call they
-- make. A system is known by its server certificate (I-1: GCA for a government agency, MOEACA
-- or XCA for a financial institution), which it presents as its TLS client certificate; it is
-- in service from `enabled_from` until `disabled_from`, its certificate's expiry, or a stop by
-- the ministry on a ground of rule 6 (I-4). Kept table for table in step with
-- postgres/0027_confirmation_systems.sql.
CREATE TABLE confirmation_systems (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    applicant_kind        TEXT NOT NULL CHECK (applicant_kind IN ('agency', 'financial')),
    organisation          TEXT NOT NULL,        -- 機關(構)名稱
    address               TEXT NOT NULL,        -- 機關(構)地址
    system_name           TEXT NOT NULL,        -- 應用系統中文名稱
    certificate_family    TEXT NOT NULL CHECK (certificate_family IN ('gca', 'moeaca', 'xca')),
    certificate_serial    TEXT NOT NULL,        -- 伺服器憑證序號, lower-case hex
    certificate_sha256    TEXT NOT NULL UNIQUE,
    certificate_not_after BIGINT NOT NULL,
    enabled_from          BIGINT NOT NULL,      -- the opening date the ministry answered
    disabled_from         BIGINT,               -- the closing date of an approved disable request
    stopped_at            BIGINT,               -- stopped by the ministry (rule 6)
    stop_ground           TEXT CHECK (stop_ground IN ('false_data', 'reorganisation',
                              'transfer', 'rule_violation', 'heavy_load')),
    daily_quota           BIGINT NOT NULL CHECK (daily_quota > 0),
    created_at            BIGINT NOT NULL,
    CHECK ((stopped_at IS NULL) = (stop_ground IS NULL)),
    CHECK (disabled_from IS NULL OR disabled_from > enabled_from)
);

-- The calls each system's daily quota has given out on each Taipei day (`day`: its midnight),
-- counted by every server together: a server takes a block of the quota at a time.
CREATE TABLE confirmation_quota_days (
    system_id BIGINT NOT NULL REFERENCES confirmation_systems (id),
    day       BIGINT NOT NULL,
    taken     BIGINT NOT NULL,
    PRIMARY KEY (system_id, day)
);

-- ID numbers asked of a citizen certificate's card that were not its holder's, per Taipei day
-- and from every system together (server/src/confirm: at most 5, then no answer about the
-- card until midnight). `subject_hash`: HMAC-SHA256 under the ID-hash key of the card (or of
-- an unknown certificate), never the card number itself.
CREATE TABLE confirmation_misses (
    subject_hash TEXT NOT NULL,
    day          BIGINT NOT NULL,
    misses       BIGINT NOT NULL,
    PRIMARY KEY (subject_hash, day)
);

-- Every call of a registered system, answered or refused: which system, when, from where,
-- the answer's code, the certificate status answered, and the ID number only as its
-- HMAC-SHA256 under the ID-hash key. Append-only, like the audit log.
CREATE TABLE confirmation_calls (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    system_id   BIGINT NOT NULL REFERENCES confirmation_systems (id),
    called_at   BIGINT NOT NULL,
    source_ip   TEXT NOT NULL,
    outcome     TEXT NOT NULL,              -- the answer's code (docs/confirmation-api.md)
    status      TEXT CHECK (status IN ('valid', 'suspended', 'revoked', 'expired')),
    id_hash     TEXT,
    latency_us  BIGINT NOT NULL
);
CREATE INDEX confirmation_calls_system ON confirmation_calls (system_id, called_at);

CREATE TRIGGER confirmation_calls_no_update BEFORE UPDATE ON confirmation_calls
BEGIN
    SELECT RAISE(ABORT, 'confirmation_calls is append-only');
END;
CREATE TRIGGER confirmation_calls_no_delete BEFORE DELETE ON confirmation_calls
BEGIN
    SELECT RAISE(ABORT, 'confirmation_calls is append-only');
END;
