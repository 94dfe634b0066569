-- Card services at the counter (C-5): the contacts the CA writes to (修改手機號碼、連絡用電子信箱),
-- whether the certificate is published (憑證公佈狀態), and when its status last changed
-- (停用、復用、廢止). Copied from the application at issuance; NULL for recorded demo cards.
-- Kept table for table in step with postgres/0012_moica_card_services.sql.
ALTER TABLE moica_certificates ADD COLUMN email TEXT;
ALTER TABLE moica_certificates ADD COLUMN mobile TEXT;
ALTER TABLE moica_certificates ADD COLUMN published BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE moica_certificates ADD COLUMN status_changed_at BIGINT;
-- When the holder was told the certificate expires within 60 days (once per certificate).
ALTER TABLE moica_certificates ADD COLUMN expiry_notice_at BIGINT;
