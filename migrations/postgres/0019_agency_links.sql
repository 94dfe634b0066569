-- Agency linking (機關連結申請, SPEC §2, seed 001, issue 18): one case per interface an agency
-- applies for, carried through the seed's 20 steps by five parties. The case's overall state is
-- `status` (a declared machine, app/src/services/agency_link/cases.rs); its progress through the
-- steps is in `workflow_steps`, which the case engine (app/src/cases/work.rs) writes for every
-- workflow case type. Kept table for table in step with the other side's 0019_agency_links.sql.

CREATE TABLE agency_links (
    id                TEXT PRIMARY KEY,                 -- the case number shown to every party
    agency_code       TEXT NOT NULL REFERENCES agencies (code),
    interface         TEXT NOT NULL CHECK (interface IN ('egate_internet', 'egate_vpn', 'link_vpn', 'api_vpn')),
    data_kind         TEXT NOT NULL CHECK (data_kind IN ('household', 'military')),
    county            TEXT NOT NULL,                    -- the 直轄市/縣(市) whose unit receives it
    first_vpn         BOOLEAN NOT NULL,                 -- a first VPN application: the GSN VPN forms are filed
    status            TEXT NOT NULL CHECK (status IN ('in_progress', 'live', 'withdrawn', 'cancelled')),
    revision          BIGINT NOT NULL DEFAULT 0,        -- bumped by every change: racing changes, one wins
    filed_at          BIGINT NOT NULL,
    host_address      TEXT NOT NULL,                    -- the agency's host (IP or CIDR) the link is for
    application       TEXT NOT NULL,                    -- the 申請表 and GSN VPN fields, as JSON
    password_sealed   TEXT,                             -- the 密碼表 from step 7 until the county takes it (step 8), sealed
    test_at           BIGINT,                           -- the joint connection test's date (step 16)
    test_passed_at    BIGINT,                           -- when the test call passed (step 18)
    live_at           BIGINT,
    closed_at         BIGINT                            -- withdrawn or cancelled
);
CREATE INDEX agency_links_agency ON agency_links (agency_code, filed_at);
CREATE INDEX agency_links_queue ON agency_links (status, county);

-- The data items (各類需求資料項目表) a case asks for: after go-live the link answers these
-- and nothing else.
CREATE TABLE agency_link_items (
    link_id  TEXT NOT NULL REFERENCES agency_links (id),
    item     TEXT NOT NULL,
    PRIMARY KEY (link_id, item)
);

-- An agency's user environment on the 連結介面 server (step 8): created with its first 連結介面
-- registration, removed when it has cancelled every application.
CREATE TABLE agency_environments (
    agency_code  TEXT PRIMARY KEY REFERENCES agencies (code),
    created_at   BIGINT NOT NULL,
    created_for  TEXT NOT NULL REFERENCES agency_links (id)
);

-- How far each workflow case has come (app/src/cases/workflow.rs): one row per step done
-- (party '*'), and one per party that has confirmed a step every named party must confirm.
-- A send-back deletes the rows of the steps it reopens; the timeline keeps the history.
CREATE TABLE workflow_steps (
    case_type  TEXT NOT NULL,
    case_id    TEXT NOT NULL,
    step       TEXT NOT NULL,
    party      TEXT NOT NULL,
    at         BIGINT NOT NULL,
    PRIMARY KEY (case_type, case_id, step, party)
);
