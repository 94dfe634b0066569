-- The documents an agency files with a linking case (seed 001 step 1, SPEC §2, issue 18):
-- PDFs of at most 5 MiB, checked by content before they are stored, kept with their SHA-256
-- so every party on the case downloads exactly what was filed. Kept table for table in step
-- with the other side's 0021_agency_link_documents.sql.

CREATE TABLE agency_link_documents (
    id           TEXT PRIMARY KEY,                 -- random (UUID): named in download links
    link_id      TEXT NOT NULL REFERENCES agency_links (id),
    kind         TEXT NOT NULL CHECK (kind IN ('application_form', 'item_table', 'management_rules', 'security_agreement', 'gsn_vpn')),
    file_name    TEXT NOT NULL,                    -- as uploaded, sanitised
    size         BIGINT NOT NULL CHECK (size > 0 AND size <= 5242880),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    content      BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL,                    -- the actor, as the audit log names it
    uploaded_at  BIGINT NOT NULL
);
CREATE INDEX agency_link_documents_link ON agency_link_documents (link_id, uploaded_at);
