-- 展期 (C-4): an extension is a new certificate for the same card key, valid 3 years from the
-- original expiry; the certificate it replaces is revoked. The row keeps the card's record and
-- takes the new certificate; it remembers the original expiry (which also says it was extended,
-- once only), when, and the replaced certificate's fingerprint (a card that still holds that
-- one is offered the extended certificate again). The current certificate itself (DER,
-- standard base64) is kept so that it can be written to the card again.
-- Kept table for table in step with sqlite/0014_moica_extension.sql.
ALTER TABLE moica_certificates ADD COLUMN certificate_der TEXT;
ALTER TABLE moica_certificates ADD COLUMN original_not_after BIGINT;
ALTER TABLE moica_certificates ADD COLUMN extended_at BIGINT;
ALTER TABLE moica_certificates ADD COLUMN previous_sha256 TEXT;
CREATE INDEX moica_certificates_previous ON moica_certificates (previous_sha256);
