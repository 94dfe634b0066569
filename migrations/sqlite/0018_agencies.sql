-- The government agencies the portal knows (issue 18, SPEC §2): the registry an agency's
-- 機關憑證 (GCA) is matched against at sign-in, as a company's 工商憑證 is matched against the
-- business registry (companies). An agency not in this table cannot sign in. Kept table for
-- table in step with the other side's 0018_agencies.sql.

CREATE TABLE agencies (
    code       TEXT PRIMARY KEY CHECK (length(code) = 10),  -- 機關代號, e.g. 379130000C
    name       TEXT NOT NULL,                               -- as the 機關憑證 names it
    county     TEXT NOT NULL,   -- the 直轄市/縣市 it lies in, as staff jurisdictions name it (臺北市)
    email      TEXT NOT NULL,   -- where notices to the agency go
    created_at BIGINT NOT NULL
);
