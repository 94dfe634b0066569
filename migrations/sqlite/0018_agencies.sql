-- The government agencies the portal knows (機關, seed 001): an agency signs in with its GCA
-- 機關憑證, whose agency code names its row here. Placeholder of the agency sign-in work.
CREATE TABLE agencies (
    code        TEXT PRIMARY KEY,   -- 機關代號 (行政院人事行政總處 機關代碼)
    name        TEXT NOT NULL,
    county      TEXT NOT NULL,      -- the 直轄市/縣(市) it lies in, as staff jurisdictions name it
    email       TEXT NOT NULL,      -- where its notices go
    created_at  BIGINT NOT NULL
);
