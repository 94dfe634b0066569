-- What the ministry's side of agency linking produces (SPEC L-6, L-7, seed 001 steps 6 and 7,
-- issue 18): the subnets 資訊服務司 assigns a case over the GSN VPN, and the 密碼表 戶政司
-- issues. Kept table for table in step with the other side's 0020_agency_link_network.sql.

-- A case's subnets, one per kind (app/src/services/agency_link/addresses.rs). A case in
-- progress or live holds them; releasing them (sent back, withdrawn, cancelled) deletes them.
CREATE TABLE agency_link_addresses (
    link_id       TEXT NOT NULL REFERENCES agency_links (id),
    kind          TEXT NOT NULL CHECK (kind IN ('device', 'gateway', 'server')),
    network       TEXT NOT NULL,        -- CIDR, e.g. 172.20.0.4/30
    allocated_at  BIGINT NOT NULL,
    PRIMARY KEY (link_id, kind)
);

-- One row, updated first by every allocation so that allocations run one at a time and a
-- subnet is never handed out twice (as audit_head serialises the audit chain's appends).
CREATE TABLE agency_link_network_lock (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    allocations  BIGINT NOT NULL
);
INSERT INTO agency_link_network_lock (id, allocations) VALUES (1, 0);

-- A case's 密碼表 (app/src/services/agency_link/password_table.rs): the user code in clear,
-- the password only as its argon2 PHC string. Issuing again replaces the row.
CREATE TABLE agency_link_passwords (
    link_id        TEXT PRIMARY KEY REFERENCES agency_links (id),
    agency_user    TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    issued_at      BIGINT NOT NULL
);
