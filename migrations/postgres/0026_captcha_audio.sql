-- The CAPTCHA's spoken version, made once per challenge at its first request and kept with
-- it, so that asking again gives the same sound, not the same digits under fresh noise.
ALTER TABLE captchas ADD COLUMN audio BYTEA;
