-- Staff accounts (F-6): a back-office user is a citizen certificate (自然人憑證) bound to one
-- role and one jurisdiction. The jurisdiction is national (both columns NULL), a county or city
-- (county only) or one household office (both). Accounts are disabled, never deleted, so the
-- audit log's actors stay resolvable.
CREATE TABLE staff (
    id                    BIGSERIAL PRIMARY KEY,
    name                  TEXT NOT NULL,
    role                  TEXT NOT NULL CHECK (role IN (
                              'ministry_reviewer', 'information_services', 'county_officer',
                              'household_clerk', 'household_registrar', 'cht_engineer')),
    jurisdiction_county   TEXT,
    jurisdiction_office   TEXT REFERENCES household_offices (code),
    certificate_sha256    TEXT NOT NULL UNIQUE,
    certificate_serial    TEXT NOT NULL,
    certificate_subject   TEXT NOT NULL,
    certificate_not_after BIGINT NOT NULL,
    created_at            BIGINT NOT NULL,
    disabled_at           BIGINT,
    CHECK (jurisdiction_office IS NULL OR jurisdiction_county IS NOT NULL)
);
CREATE INDEX staff_jurisdiction ON staff (jurisdiction_county, jurisdiction_office);
