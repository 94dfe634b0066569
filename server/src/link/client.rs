//! A small client of the linked-agency API: signs a call as an agency's system does — used by
//! the tests and `huji agency-token` (docs/agency-link-api.md).

use super::auth::Operation;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

/// What an agency holds after the key exchange: its 密碼表's user code, the case's Iss key
/// and the private key of the certificate it handed over at step 11.
pub struct AgencyCredentials {
    pub user: String,
    pub iss_key: String,
    key: EncodingKey,
}

impl AgencyCredentials {
    /// `private_key_pem`: the certificate's RSA key, PKCS#8 or PKCS#1 PEM.
    pub fn new(
        user: &str,
        iss_key: &str,
        private_key_pem: &str,
    ) -> anyhow::Result<AgencyCredentials> {
        Ok(AgencyCredentials {
            user: user.into(),
            iss_key: iss_key.into(),
            key: crate::verify::client::signing_key(private_key_pem)?,
        })
    }
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    op: &'a str,
    iat: i64,
    exp: i64,
    jti: &'a str,
}

/// The `Authorization: Bearer` token of one call of `operation` made at `now` (Unix
/// seconds): valid from 180 s before to 180 s after, used once (`jti`).
pub fn token(
    credentials: &AgencyCredentials,
    operation: Operation,
    now: i64,
    jti: &str,
) -> anyhow::Result<String> {
    let claims = Claims {
        iss: &credentials.iss_key,
        sub: &credentials.user,
        op: operation.code(),
        iat: now - 180,
        exp: now + 180,
        jti,
    };
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &claims,
        &credentials.key,
    )?)
}
