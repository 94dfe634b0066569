//! The certificate authority the registration authority asks for citizen certificates
//! (MOICA, C-2) and their revocation (C-5). The portal only needs "certify this card's public
//! key for this person" and "revoke this serial"; the server binary supplies the authority
//! (the development MOICA CA of `huji pki`, or a bridge to a real one) and the portal never
//! holds a CA key itself. The card management centre beside it keys each card.

/// A citizen certificate request the RA has approved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CitizenCertificateRequest<'a> {
    /// The holder's name, as the registry has it.
    pub name: &'a str,
    /// The last four digits of the holder's ID number: all a MOICA certificate carries.
    pub id_last4: &'a str,
    /// Unix seconds, both ends included.
    pub not_before: i64,
    pub not_after: i64,
    /// The DER SubjectPublicKeyInfo the blank card generated.
    pub public_key_spki: &'a [u8],
}

/// Why the authority issued nothing.
#[derive(Debug, thiserror::Error)]
#[error("the certificate authority refused or failed: {0}")]
pub struct CaError(pub String);

pub trait CertificateAuthority: Send + Sync {
    /// Issues the certificate and answers it in DER.
    fn certify_citizen_card(
        &self,
        request: &CitizenCertificateRequest<'_>,
    ) -> Result<Vec<u8>, CaError>;

    /// The management key of the card with this public key (the card management centre, 卡管中心):
    /// written to the card at personalisation, it authorises a 用戶代碼 reset of that card (C-3).
    fn card_management_key(&self, public_key_spki: &[u8]) -> Result<[u8; 32], CaError>;

    /// Whether the blank card numbered `card_number` attested `message` with `tag` under its
    /// factory key, which the card management centre derives from the number (issue 21 item
    /// 10): the RA learns a yes or no, never the key.
    fn card_attests(&self, card_number: &str, message: &[u8], tag: &[u8]) -> Result<bool, CaError>;

    /// Revokes the certificate with serial `serial_hex` at `at` (Unix seconds) and publishes
    /// the CRLs that list it (廢止, C-5). Revoking twice changes nothing.
    fn revoke(&self, serial_hex: &str, at: i64) -> Result<(), CaError>;
}
