-- Who is told and who acts in agency linking (SPEC §2, issue 18): the county 役政單位, which
-- receives the cases asking for military data (兵籍資料), becomes a staff role of its own,
-- distinct from the 民政局(處) officers who receive household cases; and every staff account
-- gets the address the notices of its inbox (L-21) are mailed to. Kept in step with the
-- PostgreSQL side's 0024_agency_link_parties.sql.
--
-- SQLite cannot alter a CHECK, so the table is rebuilt: a new table, the rows copied with their
-- ids, the old one dropped and the new one renamed (never the old one renamed, which would
-- repoint the foreign keys of id_card_loss_events, api_cases and moica_certificates at it).
-- The foreign keys are checked at commit, when `staff` is the new table with the same ids.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE staff_rebuilt (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    name                  TEXT NOT NULL,
    role                  TEXT NOT NULL CHECK (role IN (
                              'ministry_reviewer', 'information_services', 'county_officer',
                              'county_military_officer', 'household_clerk',
                              'household_registrar', 'cht_engineer')),
    jurisdiction_county   TEXT,
    jurisdiction_office   TEXT REFERENCES household_offices (code),
    certificate_sha256    TEXT NOT NULL UNIQUE,
    certificate_serial    TEXT NOT NULL,
    certificate_subject   TEXT NOT NULL,
    certificate_not_after BIGINT NOT NULL,
    created_at            BIGINT NOT NULL,
    disabled_at           BIGINT,
    email                 TEXT,   -- where the notices of the member's inbox go; none: not mailed
    CHECK (jurisdiction_office IS NULL OR jurisdiction_county IS NOT NULL)
);

INSERT INTO staff_rebuilt (id, name, role, jurisdiction_county, jurisdiction_office,
                           certificate_sha256, certificate_serial, certificate_subject,
                           certificate_not_after, created_at, disabled_at)
SELECT id, name, role, jurisdiction_county, jurisdiction_office, certificate_sha256,
       certificate_serial, certificate_subject, certificate_not_after, created_at, disabled_at
FROM staff;

DROP TABLE staff;
ALTER TABLE staff_rebuilt RENAME TO staff;
CREATE INDEX staff_jurisdiction ON staff (jurisdiction_county, jurisdiction_office);

-- The cap on filings (issue 18): an agency has at most one case in progress per interface and
-- data kind; a second is refused, also when two are filed at once.
CREATE UNIQUE INDEX agency_links_one_in_progress ON agency_links (agency_code, interface, data_kind)
    WHERE status = 'in_progress';
