-- Who is told and who acts in agency linking (SPEC §2, issue 18): the county 役政單位, which
-- receives the cases asking for military data (兵籍資料), becomes a staff role of its own,
-- distinct from the 民政局(處) officers who receive household cases; and every staff account
-- gets the address the notices of its inbox (L-21) are mailed to. Kept in step with the
-- SQLite side's 0024_agency_link_parties.sql.
ALTER TABLE staff DROP CONSTRAINT staff_role_check;
ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN (
    'ministry_reviewer', 'information_services', 'county_officer', 'county_military_officer',
    'household_clerk', 'household_registrar', 'cht_engineer'));
ALTER TABLE staff ADD COLUMN email TEXT;   -- where the notices of the member's inbox go

-- The cap on filings (issue 18): an agency has at most one case in progress per interface and
-- data kind; a second is refused, also when two are filed at once.
CREATE UNIQUE INDEX agency_links_one_in_progress ON agency_links (agency_code, interface, data_kind)
    WHERE status = 'in_progress';
