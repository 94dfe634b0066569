-- 線上續卡 and 開卡 (C-4): an online renewal is an application (paid NT$250 + NT$28 postage)
-- that names the certificate it renews; a registrar fulfils it onto a blank card that is then
-- mailed, and its certificate waits for the holder's online activation (開卡) before anything
-- accepts it. A counter renewal is an ordinary counter application: no activation.
-- Kept table for table in step with sqlite/0016_moica_renewal.sql.
ALTER TABLE moica_applications ADD COLUMN renewal_of BIGINT REFERENCES moica_certificates (id);
ALTER TABLE moica_certificates ADD COLUMN awaiting_activation BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE moica_certificates ADD COLUMN activated_at BIGINT;
