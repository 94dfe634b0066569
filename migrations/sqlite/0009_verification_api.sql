-- The ID-card verification API (SPEC A-11, issue 5): replay protection for request tokens,
-- the same-day failure count per ID number shared by every company (A-N6), every call
-- (F-8, A-N8) and the grants the abnormal-use detector suspended (A-N9). ID numbers are never
-- stored here: only HMAC-SHA256 digests under the server's key, which lives outside the
-- database (HUJI_ID_HASH_KEY_FILE) so that a copy of the database alone reveals nothing.
-- Kept table for table in step with postgres/0009_verification_api.sql.

-- Request tokens seen (the JWT `jti`, unique per company), kept until they expire.
CREATE TABLE api_token_ids (
    business_id TEXT NOT NULL,
    jti         TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (business_id, jti)
);
CREATE INDEX api_token_ids_expiry ON api_token_ids (expires_at);

-- A-N6: failed verifications of one ID number on one Taipei day, from every company.
CREATE TABLE verification_failures (
    id_hash  TEXT NOT NULL,
    day      TEXT NOT NULL,                 -- YYYY-MM-DD, Asia/Taipei
    failures BIGINT NOT NULL,
    PRIMARY KEY (id_hash, day)
);

-- Every call: who, when, about which ID (keyed hash), the verdict and how long it took.
-- `signed` is 1 when the request's signature verified: only then is the call the company's
-- (business_id and ap_id of an unsigned call are what the caller claimed).
CREATE TABLE api_calls (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    business_id TEXT NOT NULL,
    ap_id       TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    called_at   BIGINT NOT NULL,
    source_ip   TEXT NOT NULL,
    id_hash     TEXT,
    rd_code     TEXT NOT NULL,
    verdict     TEXT,                       -- checkIdCardApply, when the query was done
    latency_us  BIGINT NOT NULL,
    signed      BIGINT NOT NULL
);
CREATE INDEX api_calls_company ON api_calls (business_id, called_at);

-- A-N9: when the abnormal-use detector suspended the grant (NULL: it did not). Its calls
-- answer checkIdCardApply 8 until the ministry reinstates it.
ALTER TABLE api_grants ADD COLUMN abnormal_since BIGINT;
