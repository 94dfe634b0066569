-- Every call to the linked-agency API (SPEC L-16…L-20, issue 18 item 6, server/src/link):
-- accepted or refused, from where, for which operation, and what it was answered. The ID
-- number a person query asked for is kept only as its HMAC-SHA256 under the server's
-- ID-hash key (HUJI_ID_HASH_KEY_FILE), as the verification API's call log keeps it; no
-- password or token is stored. `link_id` is NULL when the call named no case this server
-- knows. Kept table for table in step with sqlite/0023_agency_link_calls.sql.
CREATE TABLE agency_link_calls (
    id          BIGSERIAL PRIMARY KEY,
    link_id     TEXT REFERENCES agency_links (id),
    called_at   BIGINT NOT NULL,
    source_ip   TEXT NOT NULL,
    operation   TEXT NOT NULL CHECK (operation IN ('connection_test', 'person_query')),
    outcome     TEXT NOT NULL,              -- the answer's code (docs/agency-link-api.md)
    id_hash     TEXT,
    latency_us  BIGINT NOT NULL
);
CREATE INDEX agency_link_calls_case ON agency_link_calls (link_id, called_at);
