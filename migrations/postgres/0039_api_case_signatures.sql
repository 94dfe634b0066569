-- A-2…A-5 (issue 20 item 1): each submission of the API service is signed by the company's
-- card (工商憑證) through the card helper. The signature is kept with its case: the canonical
-- content the card signed (JSON), its SHA-256, the statement signed (inside the helper's
-- origin-bound message, hence the origin), the signature and the certificate (standard
-- base64). A signature is evidence: it is never changed or removed. The first table to refer
-- to api_cases: a later rebuild of api_cases (as 0036 did on SQLite) must keep its ids. Kept in step with
-- sqlite/0039_api_case_signatures.sql.
CREATE TABLE api_case_signatures (
    case_id            TEXT PRIMARY KEY REFERENCES api_cases (id),
    content            TEXT NOT NULL,
    content_sha256     TEXT NOT NULL,
    statement          TEXT NOT NULL,
    origin             TEXT NOT NULL,
    signature          TEXT NOT NULL,
    certificate        TEXT NOT NULL,
    certificate_serial TEXT NOT NULL,
    signer             TEXT NOT NULL,
    signed_at          BIGINT NOT NULL
);
CREATE FUNCTION api_case_signatures_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'api_case_signatures is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER api_case_signatures_no_change BEFORE UPDATE OR DELETE ON api_case_signatures
    FOR EACH ROW EXECUTE FUNCTION api_case_signatures_append_only();
CREATE TRIGGER api_case_signatures_no_truncate BEFORE TRUNCATE ON api_case_signatures
    FOR EACH STATEMENT EXECUTE FUNCTION api_case_signatures_append_only();
