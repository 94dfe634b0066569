-- ID card loss reports (SPEC L4-1…L4-4, seed 004): a citizen reports the current card lost
-- online (免自然人憑證, answering knowledge questions) and may revoke the report with the
-- password set then; the household office of the registered address follows each report up
-- (RL03Y00), and every event is visible upward (county and central views read the events).
-- Kept table for table in step with sqlite/0006_id_card_loss.sql.

CREATE TABLE id_card_loss_reports (
    id                    BIGSERIAL PRIMARY KEY,
    reference             TEXT NOT NULL UNIQUE,           -- 掛失編號, shown to the citizen
    citizen_id            BIGINT NOT NULL REFERENCES citizens (id),
    issuance_id           BIGINT NOT NULL REFERENCES id_card_issuances (id),  -- the card reported lost
    household_office_code TEXT NOT NULL REFERENCES household_offices (code),
    channel               TEXT NOT NULL CHECK (channel IN ('online', 'moica')),
    phone                 TEXT NOT NULL,
    email                 TEXT NOT NULL,
    password_hash         TEXT,                           -- argon2id PHC string; NULL for moica
    password_failures     BIGINT NOT NULL DEFAULT 0,     -- 3 lock online revocation
    status                TEXT NOT NULL DEFAULT 'lost' CHECK (status IN ('lost', 'revoked')),
    contact_state         TEXT NOT NULL DEFAULT 'pending'
                          CHECK (contact_state IN ('pending', 'confirmed', 'unreachable')),
    contact_attempts      BIGINT NOT NULL DEFAULT 0,
    reported_at           BIGINT NOT NULL,
    revoked_at            BIGINT
);
-- One open report per card: two racing reports cannot both be taken.
CREATE UNIQUE INDEX id_card_loss_reports_one_open ON id_card_loss_reports (issuance_id) WHERE status = 'lost';
CREATE INDEX id_card_loss_reports_citizen ON id_card_loss_reports (citizen_id);
CREATE INDEX id_card_loss_reports_office ON id_card_loss_reports (household_office_code, contact_state);

-- Everything that happens to a report, as reported upward: the report itself, each contact
-- attempt by the office, the revocation, and the lock after three wrong passwords.
CREATE TABLE id_card_loss_events (
    id             BIGSERIAL PRIMARY KEY,
    report_id      BIGINT NOT NULL REFERENCES id_card_loss_reports (id),
    kind           TEXT NOT NULL CHECK (kind IN ('reported', 'contact', 'revoked', 'locked')),
    contact_method TEXT CHECK (contact_method IN ('phone', 'email', 'system')),
    outcome        TEXT CHECK (outcome IN ('confirmed', 'unreachable')),
    note           TEXT,                                  -- 其他說明
    staff_id       BIGINT REFERENCES staff (id),
    county         TEXT NOT NULL,                         -- for the county's view
    recorded_at    BIGINT NOT NULL
);
CREATE INDEX id_card_loss_events_report ON id_card_loss_events (report_id);
CREATE INDEX id_card_loss_events_county ON id_card_loss_events (county, recorded_at);

-- Image CAPTCHAs: single use (deleted when checked), short-lived. The answer never leaves the
-- server; the image is drawn once, the spoken version on request.
CREATE TABLE captchas (
    id          TEXT PRIMARY KEY,
    answer      TEXT NOT NULL,
    image       BYTEA NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX captchas_expires_at ON captchas (expires_at);

-- Fixed-window counters for rate limits shared by every server process.
CREATE TABLE rate_limits (
    bucket       TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
