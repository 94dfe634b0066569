-- Citizen certificates (自然人憑證) on IC cards, as the MOICA CA records them (C-2, C-6).
-- The subject carries the name and only the last 4 digits of the ID number, as MOICA's do.
CREATE TABLE moica_certificates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    card_number TEXT NOT NULL,
    serial      TEXT NOT NULL UNIQUE,
    subject     TEXT NOT NULL,
    issuer      TEXT NOT NULL,
    not_before  BIGINT NOT NULL,
    not_after   BIGINT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
    created_at  BIGINT NOT NULL
);
CREATE INDEX moica_certificates_card ON moica_certificates (card_number);
