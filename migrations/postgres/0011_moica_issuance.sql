-- Counter issuance of citizen certificates (自然人憑證臨櫃發證, SPEC C-2): the registration
-- authority records which application a certificate fulfilled, the fee taken, the office and
-- the registrar whose signature it checked. Certificates recorded by `huji moica record` (demo
-- and test cards) have none of these.
-- Kept table for table in step with the sqlite's 0011_moica_issuance.sql.
ALTER TABLE moica_certificates ADD COLUMN application_id BIGINT REFERENCES moica_applications (id);
ALTER TABLE moica_certificates ADD COLUMN fee INTEGER;
ALTER TABLE moica_certificates ADD COLUMN household_office_code TEXT REFERENCES household_offices (code);
ALTER TABLE moica_certificates ADD COLUMN issued_by BIGINT REFERENCES staff (id);
-- One certificate in force (active or suspended) per printed card number.
CREATE UNIQUE INDEX moica_certificates_active_card ON moica_certificates (card_number) WHERE status IN ('active', 'suspended');
