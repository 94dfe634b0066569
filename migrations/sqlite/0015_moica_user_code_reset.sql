-- 用戶代碼重設 at a counter (C-3): when the card management centre last authorised a reset of
-- the card's 用戶代碼 (and PIN, back to the default). Who asked is in the audit log.
-- Kept table for table in step with postgres/0015_moica_user_code_reset.sql.
ALTER TABLE moica_certificates ADD COLUMN user_code_reset_at BIGINT;
