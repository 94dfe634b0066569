-- The key exchange of an agency link (SPEC L-11…L-14, seed 001 steps 11–14, issue 18): the
-- certificate (GCA 機關憑證) whose key the agency's system signs its calls to the link with,
-- uploaded at step 11 and carried by the county (12) and 戶政司 (13) to 資訊服務司, which
-- issues the link's Iss key for it (14). The link API (server/src/link) accepts a call only
-- when it is signed by this certificate's key and carries this Iss key. Sending the case back
-- deletes the row: the exchange is made again. Kept table for table in step with the
-- PostgreSQL side's 0022_agency_link_keys.sql.
CREATE TABLE agency_link_keys (
    link_id                TEXT PRIMARY KEY REFERENCES agency_links (id),
    certificate_pem        TEXT NOT NULL,
    certificate_serial     TEXT NOT NULL,     -- hex, upper case
    certificate_not_after  BIGINT NOT NULL,
    uploaded_at            BIGINT NOT NULL,
    iss_key                TEXT UNIQUE,       -- 32 characters from the CSPRNG, issued at step 14
    iss_issued_at          BIGINT
);
