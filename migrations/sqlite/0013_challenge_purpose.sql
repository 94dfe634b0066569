-- What a single-use challenge was issued for (F-5, C-2): a sign-in challenge cannot serve a
-- counter issuance, nor one issuance's challenge another application or registrar.
-- Kept in step with postgres/0013_challenge_purpose.sql.
ALTER TABLE sign_in_challenges ADD COLUMN purpose TEXT NOT NULL DEFAULT 'sign-in';
