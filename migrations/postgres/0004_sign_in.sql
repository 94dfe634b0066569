-- Card sign-in (F-5, F-6): single-use challenges that a card signs, and staff bound to a
-- certificate with a role and a jurisdiction.

CREATE TABLE sign_in_challenges (
    id         TEXT PRIMARY KEY,           -- random, URL-safe; also the value the card signs
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX sign_in_challenges_expires_at ON sign_in_challenges (expires_at);
