-- Nonces of Web eID-style authentication tokens that were used (seed 003, SPEC I-3,
-- app::services::confirmation::token): a nonce is valid for five minutes and once; its
-- SHA-256 is written when a call uses it, and a second use finds it here. Purged once the
-- nonce has expired. Kept in step with sqlite/0030_confirmation_nonces.sql.
CREATE TABLE confirmation_nonces_used (
    nonce_hash TEXT PRIMARY KEY,
    used_at    BIGINT NOT NULL
);
CREATE INDEX confirmation_nonces_used_at ON confirmation_nonces_used (used_at);
