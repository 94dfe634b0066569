-- The audit key's fingerprint (an HMAC of a fixed label under the key), written by the first
-- server or command that opens the database with a key: a command started with another key
-- file (another working directory, a mistyped HUJI_AUDIT_KEY_FILE) is refused before it writes
-- rows that no check could verify.
ALTER TABLE audit_head ADD COLUMN key_fingerprint TEXT;
