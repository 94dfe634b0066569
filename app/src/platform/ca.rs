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

/// What the RA's records say of a certificate a status request (OCSP, RFC 6960) asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OcspStatus {
    /// Issued and neither revoked nor on hold.
    Good,
    /// Revoked (廢止) at this Unix time: final.
    Revoked { at: i64 },
    /// On hold (停用, or not yet activated) since this Unix time: it may come back.
    OnHold { since: i64 },
    /// Never recorded as issued by this authority.
    Unknown,
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

    /// Reads a DER OCSP request (RFC 6960) about this authority's certificates: the serials it
    /// asks about (lower-case hex without leading zero bytes, as the records hold them), or
    /// the DER response that refuses it (malformed, or about another authority's).
    fn ocsp_serials(&self, request_der: &[u8]) -> Result<Vec<String>, Vec<u8>>;

    /// The authority's signed DER response to `request_der` at `now`, giving `statuses` (one
    /// per serial of [`Self::ocsp_serials`], in order); an `internalError` response if it
    /// cannot sign.
    fn ocsp_response(&self, request_der: &[u8], statuses: &[OcspStatus], now: i64) -> Vec<u8>;

    /// Revokes the certificate with serial `serial_hex` at `at` (Unix seconds) and publishes
    /// the CRLs that list it (廢止, C-5). Revoking twice changes nothing.
    fn revoke(&self, serial_hex: &str, at: i64) -> Result<(), CaError>;
}
