-- Reports taken by telephone (seed 004: 撥打內政服務熱線 1996 辦理國民身分證掛失; issue 20
-- item 15): staff enter them into the same table, marked with the channel 'phone'. Kept in
-- step with postgres/0034_loss_reports_by_phone.sql.
--
-- SQLite cannot alter a CHECK, so the table is made again. A migration runs in a transaction,
-- where foreign keys cannot be switched off, so the rows are set aside in a plain copy, the
-- table dropped (each event row then counts as a deferred broken reference), made again
-- under its own name, and the rows put back with their ids: each row put back into the table
-- named in id_card_loss_events' foreign key settles the references to it, so the commit
-- finds none broken. (Renaming a rebuilt table into place instead would leave them counted
-- and the commit would fail on any database holding a report.)
PRAGMA defer_foreign_keys = ON;

CREATE TABLE id_card_loss_reports_set_aside AS SELECT * FROM id_card_loss_reports;
DROP TABLE id_card_loss_reports;

CREATE TABLE id_card_loss_reports (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    reference             TEXT NOT NULL UNIQUE,           -- 掛失編號, shown to the citizen
    citizen_id            INTEGER NOT NULL REFERENCES citizens (id),
    issuance_id           INTEGER NOT NULL REFERENCES id_card_issuances (id),  -- the card reported lost
    household_office_code TEXT NOT NULL REFERENCES household_offices (code),
    channel               TEXT NOT NULL CHECK (channel IN ('online', 'moica', 'phone')),
    phone                 TEXT NOT NULL,
    email                 TEXT NOT NULL,
    password_hash         TEXT,                           -- argon2id PHC string; NULL for moica and phone
    password_failures     INTEGER NOT NULL DEFAULT 0,     -- 3 lock online revocation
    status                TEXT NOT NULL DEFAULT 'lost' CHECK (status IN ('lost', 'revoked')),
    contact_state         TEXT NOT NULL DEFAULT 'pending'
                          CHECK (contact_state IN ('pending', 'confirmed', 'unreachable')),
    contact_attempts      INTEGER NOT NULL DEFAULT 0,
    reported_at           BIGINT NOT NULL,
    revoked_at            BIGINT,
    in_office_hours       BOOLEAN NOT NULL DEFAULT FALSE
);

INSERT INTO id_card_loss_reports (id, reference, citizen_id, issuance_id,
    household_office_code, channel, phone, email, password_hash, password_failures, status,
    contact_state, contact_attempts, reported_at, revoked_at, in_office_hours)
SELECT id, reference, citizen_id, issuance_id, household_office_code, channel, phone, email,
       password_hash, password_failures, status, contact_state, contact_attempts, reported_at,
       revoked_at, in_office_hours
FROM id_card_loss_reports_set_aside;
DROP TABLE id_card_loss_reports_set_aside;

-- One open report per card: two racing reports cannot both be taken.
CREATE UNIQUE INDEX id_card_loss_reports_one_open ON id_card_loss_reports (issuance_id) WHERE status = 'lost';
CREATE INDEX id_card_loss_reports_citizen ON id_card_loss_reports (citizen_id);
CREATE INDEX id_card_loss_reports_office ON id_card_loss_reports (household_office_code, contact_state);
