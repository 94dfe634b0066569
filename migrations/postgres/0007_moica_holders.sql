-- Whose citizen certificate is whose (L4-3, C-2): a MOICA certificate carries only the
-- holder's name and the last 4 digits of the ID number, so the registration authority keeps
-- the link to the registry person, found by the certificate's SHA-256 fingerprint.
ALTER TABLE moica_certificates ADD COLUMN citizen_id BIGINT REFERENCES citizens (id);
ALTER TABLE moica_certificates ADD COLUMN certificate_sha256 TEXT;
CREATE UNIQUE INDEX moica_certificates_sha256 ON moica_certificates (certificate_sha256);
